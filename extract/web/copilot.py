"""Microsoft 365 Copilot: POST substrate.office.com/m365Copilot/UploadFile.

The web app uploads a file before the chat message refers to it by its docId: a form
(application/x-www-form-urlencoded, as PyRIT's WebSocketCopilotTarget replays it, or
multipart/form-data) whose field "FileBase64" holds the whole file as a base64 data URL
("data:image/png;base64,…"), next to "scenario", "conversationId" and "optionsSets".
The data URL is decoded and the file read like any inline file; every other field is
scanned as text (ids and the scenario name included). The chat itself goes over the
WebSocket (extract/copilot_ws.py).
"""

from collections.abc import Iterator

from extract.forms import FORM_NAME, parse_form
from extract.inline_file import decode_base64, file_content
from extract.json_walk import worth_scanning
from extract.media import media_type
from extract.model import Api, Found, Prompt, Reader, TextPart, prompt_of
from extract.path import ROOT, Path
from extract.web.parts import data_url_file, named_parts, part_text

FIELD = ROOT.mark("form", "form:")  # then the field's name
FILE_FIELD = "FileBase64"


def _m365_upload(body: bytes, content_type: str | None) -> Prompt:
    media, charset = media_type(content_type)
    found: list[Found] = []
    if media.startswith("multipart/"):
        for where, name, part in named_parts(body, content_type or ""):
            filename = part.get_filename()
            if filename is None:
                found.extend(_field(name, part_text(part), where))
                continue
            if worth_scanning(filename):
                found.append(TextPart(where.mark("filename", ".filename"), filename))
            data = part.get_payload(decode=True)
            if isinstance(data, bytes) and data:
                found.extend(file_content(data, filename, part.get_content_type(), where))
    else:
        for index, (name, value) in enumerate(parse_form(body, charset or "utf-8")):
            if value is None:  # no form at all: the "name" is the content
                name, value = "", name
            bare = FORM_NAME.fullmatch(name)
            where = FIELD.key(name, index, "bare" if bare else "position")
            found.extend(_field(name, value, where))
    return prompt_of("m365_upload", found, stream=False, model=None)


def _field(name: str, value: str, where: Path) -> Iterator[Found]:
    if name == FILE_FIELD and value.strip()[:5].lower() == "data:":
        yield from data_url_file(value, None, where)
        return
    data = decode_base64(value) if name == FILE_FIELD else None
    if data is not None:  # bare base64
        yield from file_content(data, None, None, where)
    elif worth_scanning(value):
        yield TextPart(where, value)


READERS: dict[Api, Reader] = {"m365_upload": _m365_upload}
