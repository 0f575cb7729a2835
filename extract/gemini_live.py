"""The Gemini Live API's client messages (BidiGenerateContent over a WebSocket):
`wss://generativelanguage.googleapis.com/ws/google.ai.generativelanguage.v1beta.
GenerativeService.BidiGenerateContent` and Vertex AI's
`wss://<region>-aiplatform.googleapis.com/ws/google.cloud.aiplatform.v1beta1.
LlmBidiService/BidiGenerateContent`.

Each client message is one JSON object with exactly one of (protobuf JSON: camelCase
or snake_case names; field names from the google-genai SDK's live types):

    setup          the first message: model, generationConfig, systemInstruction
                   (a Content), tools[] (function declarations with descriptions)
    clientContent  turns[] (Contents: parts[].text, inlineData), turnComplete
    realtimeInput  text, audio / video / mediaChunks[] (base64 blobs, a media stream)
    toolResponse   functionResponses[] (id, name, response object)

Contents are read as in the Gemini API (extract/gemini.py); audio and video blobs are
*unscanned* (the policy's `unscanned_files` action). Every other string of the message
is scanned too (extract/rest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from extract.gemini import walk_content
from extract.inline_file import inline_file
from extract.json_walk import json_value
from extract.model import ExtractError, Found, TextPart, Unscanned
from extract.path import ROOT, Path
from extract.rest import rest_leaves
from extract.ws_frames import ClientFrame, Decoded, parse_generic, parse_json_text

API = "gemini_live"

# camelCase → snake_case of the message kinds and the fields read here.
_KINDS = {
    "setup": "setup",
    "clientContent": "client_content",
    "realtimeInput": "realtime_input",
    "toolResponse": "tool_response",
}
_ROOT = ROOT.mark("message", "")


def read(decoded: Decoded) -> ClientFrame | None:
    if isinstance(decoded, str):
        try:
            data: object = parse_json_text(decoded)
        except (ValueError, RecursionError):
            return _as_live(parse_generic(decoded))
    else:
        data = decoded
    if not isinstance(data, dict):
        return _as_live(parse_generic(decoded))
    try:
        found = list(_message(data))
        rest = rest_leaves(data, _ROOT, found)
    except ExtractError:  # a Content of the wrong shape, or too deep: read generically
        return _as_live(parse_generic(decoded))
    kind = next((k for k, snake in _KINDS.items() if k in data or snake in data), None)
    parts = [f for f in found if isinstance(f, TextPart)]
    unscanned = tuple(str(f.path) for f in found if isinstance(f, Unscanned))
    parts.extend(rest)
    if not parts and not unscanned:
        return None
    media = kind == "realtimeInput" and not any(isinstance(f, TextPart) for f in found)
    return ClientFrame(
        "gemini_live",
        tuple(parts),
        unscanned=unscanned,
        prompt=kind is not None and not media,
        media=media,
        event=kind,
    )


def _either(obj: dict[str, Any], camel: str) -> tuple[str, object]:
    snake = _KINDS.get(camel) or "".join("_" + c.lower() if c.isupper() else c for c in camel)
    return (camel, obj[camel]) if camel in obj else (snake, obj.get(snake))


def _message(data: dict[str, Any]) -> Iterator[Found]:
    key, setup = _either(data, "setup")
    if isinstance(setup, dict):
        at = _ROOT.key(key)
        name, system = _either(setup, "systemInstruction")
        if system is not None:
            yield from walk_content(system, at.key(name))
    key, content = _either(data, "clientContent")
    if isinstance(content, dict):
        at = _ROOT.key(key)
        turns = content.get("turns")
        for index, turn in enumerate(turns if isinstance(turns, list) else []):
            yield from walk_content(turn, at.key("turns").index(index))
    key, realtime = _either(data, "realtimeInput")
    if isinstance(realtime, dict):
        yield from _realtime(realtime, _ROOT.key(key))
    key, response = _either(data, "toolResponse")
    if isinstance(response, dict):
        at = _ROOT.key(key)
        name, calls = _either(response, "functionResponses")
        for index, call in enumerate(calls if isinstance(calls, list) else []):
            if isinstance(call, dict):
                where = at.key(name).index(index).key("response")
                yield from json_value(call.get("response"), where)


def _realtime(realtime: dict[str, Any], where: Path) -> Iterator[Found]:
    text = realtime.get("text")
    if isinstance(text, str) and text.strip():
        yield TextPart(where.key("text"), text)
    for field in ("audio", "video"):
        blob = realtime.get(field)
        if isinstance(blob, dict):
            yield from _blob(blob, where.key(field))
    name, chunks = _either(realtime, "mediaChunks")
    for index, chunk in enumerate(chunks if isinstance(chunks, list) else []):
        if isinstance(chunk, dict):
            yield from _blob(chunk, where.key(name).index(index))


def _blob(blob: dict[str, Any], where: Path) -> Iterator[Found]:
    """A base64 blob of the media stream: audio, video frames and images are no text
    (unscanned); anything else is read as a file."""
    data = blob.get("data")
    if not isinstance(data, str) or not data:
        return
    _, media = _either(blob, "mimeType")
    kind = media.split("/", 1)[0].lower() if isinstance(media, str) else ""
    if kind in ("audio", "video", "image", ""):
        yield Unscanned(where.key("data"))
    else:
        yield from inline_file(data, None, str(media), where.key("data"))


def _as_live(frame: ClientFrame | None) -> ClientFrame | None:
    if frame is None:
        return None
    return ClientFrame(
        "gemini_live",
        frame.parts,
        unparsed=frame.unparsed,
        unscanned=frame.unscanned,
        prompt=False,
    )
