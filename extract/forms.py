"""HTML form bodies: application/x-www-form-urlencoded fields and multipart parts."""

import email.errors
import email.parser
import email.policy
import re
from email.message import EmailMessage, Message
from email.utils import collapse_rfc2231_value
from urllib.parse import unquote_plus

from extract.media import decode
from extract.model import ExtractError

# Field and part names that may appear verbatim in a location (web extractors).
FORM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")


def parse_form(body: bytes, charset: str) -> list[tuple[str, str | None]]:
    """Every `&`-separated field as (name, value), URL-decoded; value None for a field
    without "=" (an empty field gives ("", None)). ExtractError if not in `charset`."""
    text = decode(body, charset)  # percent-encoded ASCII, but raw bytes occur
    if text is None:
        raise ExtractError(f"form body is not valid {charset}")
    fields: list[tuple[str, str | None]] = []
    for field in text.split("&"):
        raw_name, eq, raw_value = field.partition("=")
        name = unquote_plus(raw_name, encoding=charset, errors="replace")
        value = unquote_plus(raw_value, encoding=charset, errors="replace") if eq else None
        fields.append((name, value))
    return fields


def parse_multipart(body: bytes, content_type: str) -> EmailMessage:
    """A multipart body as an email Message; ExtractError on any defect."""
    if "\r" in content_type or "\n" in content_type:
        raise ExtractError("multipart content type is malformed")
    header = b"Content-Type: " + content_type.encode("utf-8", errors="replace") + b"\r\n\r\n"
    try:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
    except RecursionError:
        raise ExtractError("multipart body is nested too deeply") from None
    except (IndexError, email.errors.HeaderParseError):
        # The stdlib's header parser fails on some parameter syntax ("multipart/x;0*")
        # instead of recording a defect.
        raise ExtractError("multipart content type is malformed") from None
    if not message.is_multipart() or message.defects:
        problems = ", ".join(type(d).__name__ for d in message.defects) or "no parts"
        raise ExtractError(f"multipart body is malformed: {problems}")
    return message


def form_name(part: Message) -> str:
    name = part.get_param("name", header="content-disposition")
    if isinstance(name, tuple):  # RFC 2231 name*=UTF-8''...
        name = collapse_rfc2231_value(name)
    return name if isinstance(name, str) else ""
