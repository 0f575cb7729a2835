"""HuggingChat (huggingface/chat-ui): POST /chat/conversation/<id>, and POST
/chat/conversation (a new conversation: {"model", "preprompt"}).

multipart/form-data: a "data" part with JSON {"inputs": …, "id": …, "is_retry": …,
"timezone": …, …} and one "files" part per attached file. A file part's file name
says what its body is: "base64;<name>" — the file itself, as base64 text (chat-ui's
client sends files so, and its server decodes them) — or "hash;<name>" — the sha256
of a file uploaded before (a reference, no content). Base64 files are decoded and read
like any inline file; the name after the ";" is the file's own. Older releases posted
the JSON alone.
"""

from collections.abc import Iterator
from email.message import Message

from extract.file_text.detect import name_text
from extract.inline_file import decode_base64, file_content
from extract.json_walk import json_leaves, kind_of, load_object, parse_json, worth_scanning
from extract.media import decode, is_file, is_textual, media_type
from extract.model import (
    Api,
    ExtractError,
    Found,
    Prompt,
    Reader,
    TextPart,
    Unscanned,
    prompt_of,
)
from extract.path import ROOT, Path
from extract.web.parts import named_parts, part_text


def _huggingchat(body: bytes, content_type: str | None) -> Prompt:
    media, _ = media_type(content_type)
    found: list[Found] = []
    if not media.startswith("multipart/"):  # a new conversation, or an older release
        data = load_object(body)
        found.extend(_data_payload(data, ROOT))
        model = data.get("model")
        return prompt_of(
            "huggingchat", found, stream=True, model=model if isinstance(model, str) else None
        )
    for where, name, part in named_parts(body, content_type or ""):
        found.extend(_huggingchat_part(part, where, name))
    return prompt_of("huggingchat", found, stream=True, model=None)


def _data_payload(data: dict[str, object], where: Path) -> Iterator[Found]:
    """The JSON of the "data" part. Files listed in it (`files: [{type, name, value,
    mime}]`, accepted by chat-ui's server) are decoded like file parts."""
    files = data.get("files")
    rest = {k: v for k, v in data.items() if k != "files"}
    yield from json_leaves(rest, where)
    if not isinstance(files, list):
        if files is not None:
            yield from json_leaves(files, where.key("files"))
        return
    for index, entry in enumerate(files):
        at = where.key("files").index(index)
        if not isinstance(entry, dict):
            yield from json_leaves(entry, at)
            continue
        name, value = entry.get("name"), entry.get("value")
        if isinstance(name, str) and worth_scanning(name):
            yield TextPart(at.key("name"), name_text(name))
        if entry.get("type") == "base64" and isinstance(value, str):
            mime = entry.get("mime")
            yield from _base64_file(
                value,
                name if isinstance(name, str) else None,
                mime if isinstance(mime, str) else None,
                at.key("value"),
            )


def _huggingchat_part(part: Message, where: Path, name: str) -> Iterator[Found]:
    data = part.get_payload(decode=True)
    filename = part.get_filename()
    if filename is not None:
        kind, separator, own_name = filename.partition(";")
        if separator and kind in ("base64", "hash"):
            yield from _file_part(part, where, kind, own_name)
            return
        if worth_scanning(filename):
            yield TextPart(where.mark("filename", ".filename"), name_text(filename))
    if not isinstance(data, bytes) or not data:
        return
    media = part.get_content_type()
    if (
        filename is not None
        or is_file(data)
        or not (is_textual(media) or decode(data, None) is not None)
    ):
        yield from file_content(data, filename, media, where)
        return
    text = part_text(part)
    if name == "data":
        try:
            payload = parse_json(text)
        except ExtractError as exc:
            raise ExtractError(f"{where}: {exc}") from None
        if not isinstance(payload, dict):
            raise ExtractError(f"{where}: expected a JSON object, got {kind_of(payload)}")
        yield from _data_payload(payload, where.mark("string_json", "→"))
    elif worth_scanning(text):
        yield TextPart(where, text)


def _file_part(part: Message, where: Path, kind: str, name: str) -> Iterator[Found]:
    """A chat-ui file part: "base64;<name>" decoded and read, "hash;<name>" a reference."""
    if worth_scanning(name):
        yield TextPart(where.mark("filename", ".filename"), name_text(name))
    if kind == "hash":  # the sha256 of a file uploaded before: no content travels
        return
    yield from _base64_file(part_text(part), name or None, part.get_content_type(), where)


def _base64_file(text: str, name: str | None, media: str | None, where: Path) -> Iterator[Found]:
    """A file as base64 text: decoded and read like any inline file."""
    if not text.strip():
        return
    data = decode_base64(text)
    if data is None:
        # chat-ui's server decodes leniently: what is no base64 is scanned as it is.
        if worth_scanning(text):
            yield TextPart(where, text)
        yield Unscanned(where)
        return
    yield from file_content(data, name, media, where)


READERS: dict[Api, Reader] = {"huggingchat": _huggingchat}
