"""Content types and charsets of request bodies and multipart parts."""

import codecs
from email.message import Message
from functools import lru_cache

from extract.file_text.detect import sniff


def media_type(content_type: str | None) -> tuple[str, str | None]:
    """("type/subtype" lower-cased or "", usable charset or None) of a Content-Type."""
    if not content_type:
        return "", None
    header = Message()
    header["content-type"] = content_type
    media = content_type.split(";", 1)[0].strip().lower()
    try:
        charset = header.get_content_charset()
    except ValueError:  # UnicodeError: non-UTF-8 bytes (surrogate escapes) in the parameters
        charset = None
    return media, codec(charset)


@lru_cache(maxsize=64)
def codec(charset: str | None) -> str | None:
    """A declared charset's codec if it decodes bytes leniently; else None (read UTF-8)."""
    if not charset:
        return None
    try:
        name = codecs.lookup(charset).name
        b"\xff\xfe\x00ab%".decode(name, "replace")  # rules out rot13, hex, idna and friends
    except (LookupError, ValueError):  # UnicodeError is a ValueError
        return None
    return name


def decode(data: bytes, charset: str | None) -> str | None:
    try:
        return data.decode(charset or "utf-8")
    except ValueError:  # UnicodeDecodeError, or a UnicodeError of an odd codec
        return None


def is_document(media: str, data: bytes) -> bool:
    """A PDF, even one that happens to be ASCII: its text is in content streams."""
    return media == "application/pdf" or data.lstrip()[:5] == b"%PDF-"


def is_file(data: bytes) -> bool:
    """Bytes a file format claims by its magic (PDF, zip, images, archives): read as that
    file whatever type the sender declared -- a zip sent as text/plain is still a zip."""
    return sniff(data) is not None


def is_textual(media: str) -> bool:
    # Suffixes, not substrings: docx is application/vnd.openxmlformats-officedocument...
    return media.startswith("text/") or media.endswith(("json", "/xml", "+xml", "/javascript"))
