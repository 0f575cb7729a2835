"""Any other body to an AI service: JSON string leaves, form fields, multipart text parts
and file names, or the whole text body.

Locations end up in the findings log, which must never hold a detected value. JSON keys,
form and part names are caller data in principle (a map keyed by e-mail address, a file
called "Abmahnung_Max_Mustermann.docx"), so only identifier-like names appear verbatim;
any other name is located by its position ("[#2]"), and file names never appear at all.
"""

from collections.abc import Iterator, Sequence
from email.message import Message

from extract.coverage import string_rule
from extract.file_text.detect import name_text
from extract.forms import form_name, parse_form, parse_multipart
from extract.inline_file import file_content
from extract.json_walk import load_json, name_segment, parse_json
from extract.media import codec, decode, is_document, is_file, is_textual, media_type
from extract.model import Api, ExtractError, Found, Prompt, Reader, TextPart, prompt_of
from extract.path import BODY, JSON_ROOT, ROOT, Key, Path
from extract.residual import KEY_SEPARATOR, residual

FORM = ROOT.mark("form", "form")  # then the field's name
PART = ROOT.mark("part", "multipart")  # then the part's name

_JSON_LINES = ("ndjson", "jsonl", "jsonlines", "json-seq")  # no single document: text


def _generic(body: bytes, content_type: str | None) -> Prompt:
    media, charset = media_type(content_type)
    model: str | None = None
    parts: Sequence[Found]
    if not body:
        parts = []
    elif media.startswith("multipart/"):
        parts = _multipart(body, content_type or "")
    elif media == "application/x-www-form-urlencoded":
        parts = _form(body, charset or "utf-8")
    elif "json" in media and not media.endswith(_JSON_LINES):
        data = load_json(body)
        parts, model = _json_leaves(data), _generic_model(data)
    else:
        parts, model = _text_body(body, media, charset)
    return prompt_of("generic", parts, stream=False, model=model)


def _generic_model(data: object) -> str | None:
    model = data.get("model") if isinstance(data, dict) else None
    return model if isinstance(model, str) else None


# Keys whose string is a file's name (the Uploads API's create, Files APIs' metadata).
_FILE_NAME_KEYS = frozenset({"filename", "file_name", "fileName", "display_name", "displayName"})


def _json_leaves(data: object) -> list[TextPart]:
    """Every string and number in document order, then the keys (extract/residual.py).
    A file's name is scanned as name_text says ("max@firma.de.pdf" without ".pdf" too)."""
    return [
        TextPart(part.path, name_text(part.text)) if _names_a_file(part.path) else part
        for part in residual(data, JSON_ROOT)
    ]


def _names_a_file(path: Path) -> bool:
    last = path.steps[-1] if path.steps else None
    return isinstance(last, Key) and last.name in _FILE_NAME_KEYS


def _text_body(body: bytes, media: str, charset: str | None) -> tuple[list[Found], str | None]:
    if is_file(body):  # a zip or PDF sent as text/plain is read as what it is
        return list(file_content(body, None, media or None, BODY)), None
    text = decode(body, charset)
    if text is None:
        if is_textual(media):
            raise ExtractError(f"request body is not valid {charset or 'UTF-8'}")
        return list(file_content(body, None, media or None, BODY)), None  # pdf, image …
    if ("\x00" in text or is_document(media, body)) and not is_textual(media):
        # binary that happens to be valid UTF-8, or an all-ASCII PDF
        return list(file_content(body, None, media or None, BODY)), None
    if text.lstrip()[:1] in ("{", "["):
        # fetch() sends JSON as text/plain unless told otherwise: walk it if it parses,
        # else it is text after all and is scanned whole.
        try:
            data = parse_json(text)
            return list(_json_leaves(data)), _generic_model(data)
        except ExtractError:
            pass
    return ([TextPart(BODY, text)] if string_rule(text) is None else []), None


def _form(body: bytes, charset: str) -> list[TextPart]:
    """application/x-www-form-urlencoded: every field value, URL-decoded."""
    parts: list[TextPart] = []
    names: list[str] = []
    for index, (name, value) in enumerate(parse_form(body, charset)):
        if value is None:
            # A body that is no form at all (JSON or text posted with the form type)
            # arrives as a single name without a value: that name is the content.
            name, value = "", name
        names.append(name)
        where = FORM.then(name_segment(name, index))
        if string_rule(value) is None:
            parts.append(TextPart(where, value))
    return parts + _names(FORM, names)


def _names(where: Path, names: list[str]) -> list[TextPart]:
    """Field and part names are caller data too ("max@firma.de=1"): one part of them."""
    text = KEY_SEPARATOR.join(dict.fromkeys(name for name in names if name.strip()))
    return [TextPart(where.mark("keys", "{keys}"), text)] if text else []


def _multipart(body: bytes, content_type: str) -> list[Found]:
    """multipart/form-data (and other multipart types): text parts, file names, files."""
    message = parse_multipart(body, content_type)
    try:
        parts: list[Found] = []
        names: list[str] = []
        for index, part in enumerate(message.iter_parts()):
            names.append(form_name(part))
            base = PART.then(name_segment(names[-1], index))
            leaves = [p for p in part.walk() if not p.is_multipart()]
            for number, leaf in enumerate(leaves):
                where = base if len(leaves) == 1 and leaf is part else base.index(number)
                parts.extend(_part(leaf, where))
        return parts + _names(PART, names)
    except RecursionError:
        raise ExtractError("multipart body is nested too deeply") from None


def _part(part: Message, where: Path) -> Iterator[Found]:
    filename = part.get_filename()
    data = part.get_payload(decode=True)
    if filename is not None:
        # File names carry names ("Abmahnung_Max_Mustermann.docx"): scanned, never a location.
        if string_rule(filename) is None:
            yield TextPart(where.mark("filename", ".filename"), name_text(filename))
        where = where.mark("content", ".content")
    if not isinstance(data, bytes) or not data:
        return
    media, charset = part.get_content_type(), codec(part.get_content_charset())
    if is_textual(media) and not is_file(data):  # no Content-Type: text/plain
        text: str | None = data.decode(charset or "utf-8", errors="replace")
    else:
        # Undeclared text (a .csv sent as application/vnd.ms-excel, a .md as octet-stream)
        # is scanned as it is; pdf, docx, images go to file_text.
        text = None if is_document(media, data) else decode(data, None)
        if text is not None and "\x00" in text:
            text = None
    if text is None:
        yield from file_content(data, filename, media, where)
    elif string_rule(text) is None:
        yield TextPart(where, text)


READERS: dict[Api, Reader] = {"generic": _generic}
