"""Which reader reads a WebSocket message to an AI host, and reading it.

Chosen by the catalog service's extractor and the upgrade request's path, like
extract/registry.py for HTTP bodies; any other WebSocket to an AI host gets the generic
reader, so that no client message reaches an AI service unscanned:

    copilot-ws services           extract/copilot_ws.py (Copilot, SignalR)
    …/realtime (any AI service)   extract/openai_realtime.py (OpenAI, Azure OpenAI)
    …BidiGenerateContent…         extract/gemini_live.py (Gemini API, Vertex AI)
    anything else                 extract/ws_frames.parse_generic (every string leaf)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import unquote

from extract import copilot_ws, gemini_live, openai_realtime
from extract.model import ExtractError, TextPart
from extract.ws_frames import FRAME, ClientFrame, Decoded, Protocol, decode_message, parse_generic

Reader = Callable[[Decoded], ClientFrame | None]

# The api name a decision row carries, per reader.
READERS: dict[str, Reader] = {
    copilot_ws.API: copilot_ws.read,
    openai_realtime.API: openai_realtime.read,
    gemini_live.API: gemini_live.read,
    "websocket": parse_generic,
}


def ws_api(extractor: str, path: str) -> str:
    """The reader (and decision api) for a WebSocket with this catalog extractor and
    upgrade path."""
    if extractor == "copilot-ws":
        return copilot_ws.API
    route = re.sub(r"/{2,}", "/", unquote(path.split("?", 1)[0])).rstrip("/")
    if re.search(r"/realtime$", route):
        return openai_realtime.API
    if re.search(r"BidiGenerateContent(?:Constrained)?$", route):
        return gemini_live.API
    return "websocket"


def read_message(api: str, content: bytes, is_text: bool, limit: int) -> ClientFrame | None:
    """What a client message carries; None when nothing in it is worth scanning.

    A message a reader cannot walk (JSON nested deeper than the walk goes) is scanned
    whole. Raises extract.body_decode.BodyTooLarge when a compressed message inflates
    past `limit`.
    """
    decoded = decode_message(content, is_text, limit)
    try:
        return READERS[api](decoded)
    except (ExtractError, RecursionError):
        text = decoded if isinstance(decoded, str) else json.dumps(decoded, default=str)
        protocol = answer_protocol(api, text.encode())
        return ClientFrame(protocol, (TextPart(FRAME, text),), unparsed=True)


def answer_protocol(api: str, content: bytes) -> Protocol:
    """The answer format for a message of this reader that was not read (too large,
    too deep, a bug of ours)."""
    if api == copilot_ws.API:
        return copilot_ws.guess_protocol(content[-16:])
    if api == openai_realtime.API:
        return "openai_realtime"
    if api == gemini_live.API:
        return "gemini_live"
    return "json" if content.lstrip()[:1] == b"{" else "opaque"
