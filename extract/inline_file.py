"""Files sent inside a request (base64 in JSON, multipart parts, raw uploads): their
text for the scan, or their location as unscanned."""

import base64
import binascii
from collections.abc import Iterator

from extract.file_text import file_text
from extract.model import Found, TextPart, Unscanned
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
    """A base64 file: its text, or its location as unscanned (also when undecodable)."""
    data = decode_base64(encoded)
    if data is None:
        yield Unscanned(where)
    else:
        yield from file_content(data, filename, media, where)


# Bytes of an inline file, and characters of its text, that are read at most (the
# guard's body size limit applies first); longer files are scanned in part and reported
# unscanned as well.
FILE_TEXT_LIMIT = 32 * 1024 * 1024


def file_content(
    data: bytes, filename: str | None, media: str | None, where: Path
) -> Iterator[Found]:
    """The text of an inline file (text, PDF, Office), else its location as unscanned.

    file_text tells the type from the bytes first; images, scans, unsupported and broken
    files have no text. A file read only in part (too large) yields both.
    """
    if not data:
        return
    if (media or "").lower().startswith("image/"):  # declared an image: no OCR here
        yield Unscanned(where)
        return
    result = file_text(data, filename, media, FILE_TEXT_LIMIT)
    if result.text is not None and result.text.strip():
        # The file's text, not a substring of the field it came in.
        yield TextPart(where.mark("file"), result.text)
    if result.status != "scanned":
        yield Unscanned(where)
