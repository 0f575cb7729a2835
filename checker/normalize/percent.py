"""Percent-encoding (``%40``, ``%20``, ``%C3%BC``) → a decoded copy next to the original.

``max%40example.com`` in a query string or ``data:text/plain,DE89%203704%20…`` hides
the value from the recognizers. A token (a run without white space) that holds valid
escapes gets a decoded copy inserted right after it, separated by a space; the token
itself stays, because decoding in place would change what other recognizers rely on:
``https://admin:p%40ss@host`` is a password in a URL only while ``%40`` is not an
``@``. Each character of the copy maps back to the characters it was decoded from, so
a finding there covers exactly the encoded characters of the original. Encoded twice
(``%2540``) or more is decoded while it changes, LEVELS times at most (each level
shortens the text).

Bytes that do not form UTF-8, and control characters, stay escaped in the copy.
``+`` is not a space here (it is only in form bodies, which the extractors decode).
"""

from __future__ import annotations

import re
import unicodedata

from checker.normalize.offsets import Rewrite, Rewriter
from checker.normalize.sketch import Sketch

LEVELS = 6
# A token with at least one escape; the look-behind starts matches at token starts
# only, so a long token is walked once.
_TOKEN = re.compile(r"(?<!\S)\S*?%[0-9A-Fa-f]{2}\S*")
_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
# An escape that decodes to a character: printable ASCII, tab, line breaks, or the
# lead byte of a multi-byte UTF-8 character followed by a continuation byte.
_DECODABLE = re.compile(r"%(?:[2-7][0-9A-Fa-f]|0[9AaDd]|[C-Fc-f][0-9A-Fa-f]%[89ABab][0-9A-Fa-f])")
SLICE = 65_536

# A decoded text as characters, each with the original span it stands for.
Chars = list[tuple[str, int, int]]


def wanted(sketch: Sketch) -> bool:
    return b"%" in sketch.marks and _DECODABLE.search(sketch.text) is not None


def rewrite(text: str) -> Rewrite | None:
    if "%" not in text:
        return None
    out = Rewriter(text)
    for token in _TOKEN.finditer(text):
        if _DECODABLE.search(token.group()) is None:
            continue
        out.keep(token.end())
        out.emit(" ", token.start(), token.end())
        for start, end in _slices(text, token.start(), token.end()):
            chars: Chars = [(c, i, i + 1) for i, c in enumerate(text[start:end], start)]
            for _ in range(LEVELS):
                chars, changed = _decode(chars)
                if not changed:
                    break
            for char, origin, origin_end in chars:
                out.emit(char, origin, origin_end, positional=origin_end - origin == 1)
    return out.result()


def _slices(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A long token in slices of at most SLICE characters, never cut inside an
    escape: the decoded copy is built slice by slice in bounded memory."""
    slices = []
    while start < end:
        stop = min(end, start + SLICE)
        if stop < end:
            percent = text.rfind("%", stop - 2, stop)
            stop = percent if percent > start else stop
        slices.append((start, stop))
        start = stop
    return slices


def _decode(chars: Chars) -> tuple[Chars, bool]:
    """One level of percent-decoding; whether anything was decoded."""
    text = "".join(c for c, _, _ in chars)
    result: Chars = []
    position = 0
    changed = False
    for run in _ESCAPES.finditer(text):
        result += chars[position : run.start()]
        data = bytes.fromhex(run.group().replace("%", ""))
        i = 0
        while i < len(data):
            size = _utf8_length(data[i])
            char = _char(data[i : i + size]) if size else None
            first = run.start() + 3 * i
            if char is None:
                result += chars[first : first + 3]
                i += 1
                continue
            last = first + 3 * size - 1
            result.append((char, chars[first][1], chars[last][2]))
            changed = True
            i += size
        position = run.end()
    result += chars[position:]
    return result, changed


def _utf8_length(lead: int) -> int:
    if lead < 0x80:
        return 1
    if 0xC2 <= lead < 0xE0:
        return 2
    if 0xE0 <= lead < 0xF0:
        return 3
    if 0xF0 <= lead < 0xF5:
        return 4
    return 0


def _char(data: bytes) -> str | None:
    try:
        char = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if len(char) != 1 or (unicodedata.category(char) == "Cc" and char not in "\t\n\r"):
        return None
    return char
