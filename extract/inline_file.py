"""Files sent inside a request (base64 in JSON, data URLs, multipart parts, raw uploads):
their text for the scan, and where they could not be read (completely).

The one call for any extractor holding a file's bytes is `file_content(bytes, name,
media type, where)`: it yields the file's text (a TextPart), and an Unscanned (an image,
a type without a reader: the policy's `unscanned_files`) or an Unreadable (a file not
read completely: the policy's `unreadable_files`) for what could not be read.
"""

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from extract.file_text import UNREADABLE, file_text
from extract.file_text.detect import name_text
from extract.file_text.outcome import CORRUPT
from extract.json_walk import kind_of, worth_scanning
from extract.model import ExtractError, Found, TextPart, Unreadable, Unscanned
from extract.path import Path


def decode_base64(value: str) -> bytes | None:
    """Standard or URL-safe base64 (Gemini accepts both), padding optional; None if neither."""
    text = "".join(value.split())
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        pass
    try:
        return base64.b64decode(text, altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None


def inline_file(
    encoded: str, filename: str | None, media: str | None, where: Path
) -> Iterator[Found]:
    """A base64 file: its text, or why it could not be read. Text that is no base64 at
    all reaches the vendor as it is: it is scanned as text, and the file is corrupt."""
    data = decode_base64(encoded)
    if data is None:
        if worth_scanning(encoded):
            yield TextPart(where, encoded)
        yield Unreadable(where, CORRUPT)
    else:
        yield from file_content(data, filename, media, where)


@dataclass(frozen=True)
class DataUrl:
    media: str | None  # "application/pdf", lower case; None if not given
    name: str | None  # a name= or filename= parameter (browsers and some web apps add it)
    base64: bool
    payload: str  # what follows the comma


_PARAMETER = re.compile(r"\s*([^=;\s]+)\s*=\s*(\"[^\"]*\"|[^;]*)")


def parse_data_url(value: str) -> DataUrl | None:
    """`data:[media][;name=value]*[;base64],payload` (RFC 2397); None if `value` is none."""
    if value[:5].lower() != "data:":
        return None
    header, comma, payload = value[5:].partition(",")
    if not comma:
        return None
    items = header.split(";")
    encoded = items[-1].strip().lower() == "base64"
    if encoded:
        items = items[:-1]
    media = items[0].strip().lower() or None if items else None
    name = None
    for item in items[1:]:
        match = _PARAMETER.fullmatch(item)
        if match and match[1].lower() in ("name", "filename"):
            name = unquote_to_bytes(match[2].strip('"')).decode("utf-8", errors="replace")
    return DataUrl(media, name, encoded, payload)


def data_url_file(url: DataUrl, filename: str | None, where: Path) -> Iterator[Found]:
    """The file a data URL holds: its name parameter (a file name carries names, so it is
    scanned), then its content (base64, or percent-encoded bytes)."""
    if url.name and worth_scanning(url.name):
        yield TextPart(where.mark("filename", ".name"), name_text(url.name))
    name = filename or url.name
    if url.base64:
        yield from inline_file(url.payload, name, url.media, where)
    else:
        yield from file_content(unquote_to_bytes(url.payload), name, url.media, where)


def file_name_field(obj: dict[str, Any], key: str, where: Path) -> Iterator[Found]:
    """A JSON field holding a file's name (a name carries names: scanned, see name_text)."""
    value = obj.get(key)
    if isinstance(value, str) and worth_scanning(value):
        yield TextPart(where.key(key), name_text(value))
    elif value is not None and not isinstance(value, str):
        raise ExtractError(f"{where.key(key)}: expected a string, got {kind_of(value)}")


# Bytes of an inline file, and characters of its text, that are read at most (the
# guard's body size limit applies first); longer files are scanned in part and reported
# unreadable as well.
FILE_TEXT_LIMIT = 32 * 1024 * 1024


def file_content(
    data: bytes, filename: str | None, media: str | None, where: Path
) -> Iterator[Found]:
    """The text of a file (text, PDF, Office, archives, image metadata), and where it
    could not be read: Unscanned (images, types without a reader) or Unreadable.

    file_text tells the type from the bytes first (a "image/png" that is a PDF is read as
    a PDF); a file read only in part yields both its text and its Unreadable.
    """
    if not data:
        return
    result = file_text(data, filename, media, FILE_TEXT_LIMIT)
    if result.text is not None and result.text.strip():
        # The file's text, not a substring of the field it came in.
        yield TextPart(where.mark("file"), result.text)
    if result.authors:
        yield TextPart(where.mark("file").mark("author", "#author"), result.authors)
    if result.status == UNREADABLE:
        yield Unreadable(where, result.why or CORRUPT)
    elif result.status != "scanned":
        yield Unscanned(where)
