"""HuggingChat: POST /chat/conversation/<id>.

multipart/form-data: a "data" part with JSON {"inputs": …, "id": …, "is_retry": …,
"web_search": …, "tools": […]} and one "files" part per attached file.
"""

from collections.abc import Iterator
from email.message import Message

from extract.file_text.detect import name_text
from extract.forms import FORM_NAME, form_name, parse_multipart
from extract.inline_file import file_content
from extract.json_walk import json_leaves, kind_of, load_object, parse_json, worth_scanning
from extract.media import codec, decode, is_file, is_textual, media_type
from extract.model import Api, ExtractError, Found, Prompt, Reader, TextPart, prompt_of
from extract.path import ROOT, Path


def _huggingchat(body: bytes, content_type: str | None) -> Prompt:
    media, _ = media_type(content_type)
    if not media.startswith("multipart/"):  # older releases posted the JSON alone
        data = load_object(body)
        found: list[Found] = list(json_leaves(data, ROOT))
        return prompt_of("huggingchat", found, stream=True, model=None)
    message = parse_multipart(body, content_type or "")
    found = []
    seen: dict[str, int] = {}
    for index, part in enumerate(message.iter_parts()):
        name = form_name(part)
        if not FORM_NAME.fullmatch(name):
            name = f"#{index}"
        occurrence = seen.get(name, 0)
        seen[name] = occurrence + 1
        where = ROOT.mark("part", f"multipart:{name}").index(occurrence)
        found.extend(_huggingchat_part(part, where, name))
    return prompt_of("huggingchat", found, stream=True, model=None)


def _huggingchat_part(part: Message, where: Path, name: str) -> Iterator[Found]:
    if part.is_multipart():
        raise ExtractError(f"{where}: nested multipart is not expected")
    data = part.get_payload(decode=True)
    filename = part.get_filename()
    if filename is not None and worth_scanning(filename):
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
    # Through codec, as in the generic reader: an unknown or non-text charset ("bogus",
    # "rot13") is read as UTF-8 instead of raising LookupError.
    text = data.decode(codec(part.get_content_charset()) or "utf-8", errors="replace")
    if name == "data":
        try:
            payload = parse_json(text)
        except ExtractError as exc:
            raise ExtractError(f"{where}: {exc}") from None
        if not isinstance(payload, dict):
            raise ExtractError(f"{where}: expected a JSON object, got {kind_of(payload)}")
        yield from json_leaves(payload, where.mark("string_json", "→"))
    elif worth_scanning(text):
        yield TextPart(where, text)


READERS: dict[Api, Reader] = {"huggingchat": _huggingchat}
