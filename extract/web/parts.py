"""Multipart bodies of the web apps: each part with its exact location, and data URLs.

Locations are "multipart:<name>[<k>]" for the k-th part named <name> (a name that is
not identifier-like is shown by the part's position, "multipart:#3[0]").
"""

from collections.abc import Iterator
from email.message import Message

from extract.forms import FORM_NAME, form_name, parse_multipart
from extract.inline_file import inline_file
from extract.media import codec
from extract.model import ExtractError, Found
from extract.path import ROOT, Path


def named_parts(body: bytes, content_type: str) -> Iterator[tuple[Path, str, Message]]:
    """(location, name, part) of every part of a multipart/form-data body, in order."""
    message = parse_multipart(body, content_type)
    seen: dict[str, int] = {}
    for index, part in enumerate(message.iter_parts()):
        if part.is_multipart():
            raise ExtractError(f"multipart part #{index}: nested multipart is not expected")
        name = form_name(part)
        if not FORM_NAME.fullmatch(name):
            name = f"#{index}"
        occurrence = seen.get(name, 0)
        seen[name] = occurrence + 1
        yield ROOT.mark("part", f"multipart:{name}").index(occurrence), name, part


def part_text(part: Message) -> str:
    """A part's body as text in its declared charset (UTF-8 when none or unusable)."""
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    # Through codec: an unknown or non-text charset ("bogus", "rot13") reads as UTF-8.
    return data.decode(codec(part.get_content_charset()) or "utf-8", errors="replace")


def data_url_file(value: str, filename: str | None, where: Path) -> Iterator[Found]:
    """A file sent as a base64 data URL ("data:image/png;base64,…"): its text, or its
    location as unscanned. ExtractError when the value is no base64 data URL."""
    header, comma, payload = value.strip()[5:].partition(",")
    if value.strip()[:5].lower() != "data:" or not comma:
        raise ExtractError(f"{where}: expected a data URL")
    if not header.lower().endswith(";base64"):
        raise ExtractError(f"{where}: expected a base64 data URL")
    media = header[: -len(";base64")].split(";", 1)[0].strip().lower() or None
    yield from inline_file(payload, filename, media, where)
