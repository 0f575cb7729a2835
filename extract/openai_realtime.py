"""OpenAI Realtime client events (wss://api.openai.com/v1/realtime, Azure OpenAI's
/openai/realtime and /openai/v1/realtime): what each event sends to the model.

Field names from the official SDK's types (openai/types/realtime, and the beta shapes
in openai/types/beta/realtime), one JSON object per text message:

    session.update             session.instructions, session.tools[] (descriptions,
                               parameter schemas), session.prompt.variables, …
    conversation.item.create   item: a message (content[]: input_text.text,
                               input_audio.audio + transcript, input_image.image_url,
                               output_text/text), a function_call (arguments), a
                               function_call_output (output), MCP items
    response.create            response.instructions, response.input[] (inline items),
                               response.metadata, tools, …
    input_audio_buffer.append  audio: base64 audio, many per second (a media chunk)

Audio and inline images cannot be read here: they are *unscanned* (the policy's
`unscanned_files` action applies). Every other string of every event — ids, metadata,
tool schemas, unknown future fields — is scanned too (extract/rest.py), so an event
type this module does not know is still checked; only the base64 audio of
`input_audio_buffer.append` and of `input_audio` content is left out, as unscanned.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from extract.model import ExtractError, Found, TextPart, Unscanned
from extract.path import ROOT, Path
from extract.rest import rest_leaves
from extract.ws_frames import FRAME, ClientFrame, Decoded, parse_generic, parse_json_text

API = "openai_realtime"

# Events whose name is shown in locations; any other event is located from the root.
EVENTS = frozenset(
    {
        "session.update",
        "transcription_session.update",
        "conversation.item.create",
        "conversation.item.retrieve",
        "conversation.item.truncate",
        "conversation.item.delete",
        "input_audio_buffer.append",
        "input_audio_buffer.commit",
        "input_audio_buffer.clear",
        "output_audio_buffer.clear",
        "response.create",
        "response.cancel",
    }
)
# Events that put content in front of the model: recorded even when clean.
PROMPT_EVENTS = frozenset({"session.update", "conversation.item.create", "response.create"})


def read(decoded: Decoded) -> ClientFrame | None:
    if not isinstance(decoded, str):
        return _as_realtime(parse_generic(decoded))
    try:
        data = parse_json_text(decoded)
    except (ValueError, RecursionError):
        return _as_realtime(parse_generic(decoded))
    if not isinstance(data, dict):
        return _as_realtime(parse_generic(decoded))
    try:
        return read_event(data)
    except ExtractError:  # nested deeper than the walk goes: the whole message
        return ClientFrame("openai_realtime", (TextPart(FRAME, decoded),), unparsed=True)


def read_event(event: dict[str, Any]) -> ClientFrame | None:
    kind = event.get("type")
    name = kind if isinstance(kind, str) and kind in EVENTS else None
    root = ROOT.mark("message", name or "")
    found = list(_event(event, name, root))
    parts = [f for f in found if isinstance(f, TextPart)]
    unscanned = tuple(str(f.path) for f in found if isinstance(f, Unscanned))
    parts.extend(rest_leaves(event, root, found))
    if not parts and not unscanned:
        return None
    event_id = event.get("event_id")
    return ClientFrame(
        "openai_realtime",
        tuple(parts),
        unscanned=unscanned,
        prompt=name in PROMPT_EVENTS,
        media=name == "input_audio_buffer.append",
        event=name,
        event_id=event_id if isinstance(event_id, str) else None,
    )


def _event(event: dict[str, Any], name: str | None, root: Path) -> Iterator[Found]:
    if name in ("session.update", "transcription_session.update"):
        session = event.get("session")
        if isinstance(session, dict):
            yield from _str(session, "instructions", root.key("session"))
    elif name == "conversation.item.create":
        item = event.get("item")
        if isinstance(item, dict):
            yield from _item(item, root.key("item"))
    elif name == "response.create":
        response = event.get("response")
        if isinstance(response, dict):
            at = root.key("response")
            yield from _str(response, "instructions", at)
            items = response.get("input")
            for index, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, dict):
                    yield from _item(item, at.key("input").index(index))
    elif name == "input_audio_buffer.append" and _nonempty(event.get("audio")):
        yield Unscanned(root.key("audio"))


def _item(item: dict[str, Any], where: Path) -> Iterator[Found]:
    """A conversation item: message content, function call arguments and output."""
    content = item.get("content")
    for index, part in enumerate(content if isinstance(content, list) else []):
        if not isinstance(part, dict):
            continue
        at = where.key("content").index(index)
        yield from _str(part, "text", at)
        yield from _str(part, "transcript", at)  # attached to the item, stored with it
        if isinstance(part.get("audio"), str) and part["audio"]:
            yield Unscanned(at.key("audio"))
        image = part.get("image_url")
        if isinstance(image, str) and image[:5].lower() == "data:":
            yield Unscanned(at.key("image_url"))
    yield from _str(item, "arguments", where)  # function_call: a JSON string
    yield from _str(item, "output", where)  # function_call_output
    if isinstance(item.get("arguments"), dict | list):  # lenient: an object as arguments
        yield TextPart(where.key("arguments"), json.dumps(item["arguments"], ensure_ascii=False))


def _nonempty(value: object) -> bool:
    return isinstance(value, str) and bool(value)


def _str(obj: dict[str, Any], key: str, where: Path) -> Iterator[TextPart]:
    value = obj.get(key)
    if isinstance(value, str) and value.strip():
        yield TextPart(where.key(key), value)


def _as_realtime(frame: ClientFrame | None) -> ClientFrame | None:
    """A message that is no JSON object: scanned generically, answered as Realtime."""
    if frame is None:
        return None
    return ClientFrame(
        "openai_realtime",
        frame.parts,
        unparsed=frame.unparsed,
        unscanned=frame.unscanned,
        prompt=False,
    )
