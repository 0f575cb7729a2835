"""Text files: decoded from UTF-8, UTF-8 with BOM, UTF-16/32 with BOM (UTF-16 without BOM
by a NUL-pattern guess), else cp1252 (German files from Windows)."""

from __future__ import annotations

import codecs

from extract.file_text.bounds import Budget
from extract.file_text.outcome import Collector

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def utf16_guess(head: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' if NULs sit in every other byte (ASCII-heavy UTF-16)."""
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= 0.4 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.4 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def decode(data: bytes, final: bool = True) -> tuple[str, str]:
    """(text, encoding). `final=False` tolerates a character cut off at the end."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
            return decoder.decode(data[len(bom) :], final=final), encoding
    guess = utf16_guess(data[:8192])
    if guess is not None:
        decoder = codecs.getincrementaldecoder(guess)(errors="replace")
        return decoder.decode(data, final=final), guess
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(data, final=final), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def read_text(data: bytes, out: Collector, budget: Budget) -> str:
    text, encoding = decode(data)
    out.add(text)
    return f"text, {encoding}"
