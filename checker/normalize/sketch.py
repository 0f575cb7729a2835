"""Cheap facts about a text that tell each step whether it has work to do.

Most prompts need no normalisation at all, and the common clean path must stay as
fast as the prefilter that follows it. A step's own regexes walk the text character
by character in Python's regex engine; the facts here come from C-level byte
operations instead — one UTF-8 encoding, ``bytes.translate`` into a one-byte-per-
character "shape", substring searches — so a clean German prompt is done in a few
microseconds. Every fact is a *necessary* condition of its step (never a guess): when
it says "nothing here", the step would not have changed the text either;
tests/checker/test_normalize_pipeline.py checks that on every fixture.
"""

from __future__ import annotations

_ASCII = bytes(range(0x80))
_CONTINUATION = bytes(range(0x80, 0xC0))


def _table(mapping: dict[str, str], default: str) -> bytes:
    """A bytes.translate table: ASCII characters as `mapping` says, every other byte
    (a UTF-8 lead byte: one per non-ASCII character) as `default`."""
    table = bytearray(default.encode() * 256)
    for chars, to in mapping.items():
        for char in chars:
            table[ord(char)] = ord(to)
    return bytes(table)


_LOWER = "abcdefghijklmnopqrstuvwxyz"
_UPPER = _LOWER.upper()
_DIGITS = "0123456789"
_WHITESPACE = " \t\n\r\x0b\x0c"
_PUNCTUATION = "".join(
    chr(c) for c in range(0x21, 0x7F) if not chr(c).isalnum() and chr(c) not in "+/_.-"
)
# Base64: "a" for characters of the alphabet that ordinary words are made of, "A" for
# those they rarely have inside (capitals, digits, + and /), " " for the rest.
BASE64_SHAPE = _table({_LOWER + "-_": "a", _UPPER + _DIGITS + "+/": "A"}, " ")
# Separators: "x" for a letter or digit (any script), "." for any of . _ / -, " " for
# white space, "o" for other punctuation.
SEPARATOR_SHAPE = _table(
    {_LOWER + _UPPER + _DIGITS: "x", "._/-": ".", _WHITESPACE: " ", _PUNCTUATION + "+": "o"},
    "x",
)
# Identifiers: ASCII letters in lower case, digits as "0", the separators as themselves,
# "x" for any other character.
IDENT_SHAPE = _table(
    {
        **{c: c.lower() for c in _LOWER + _UPPER},
        _DIGITS: "0",
        " ": " ",
        ".": ".",
        "_": "_",
        "/": "/",
        "-": "-",
    },
    "x",
)
# Letters "L", digits "D", anything else " ": an IBAN starts where "LLDD" does.
CLASS_SHAPE = _table({_LOWER + _UPPER: "L", _DIGITS: "D"}, " ")
# The few ASCII characters some step starts from; everything else is deleted.
_MARKS = "@%&\\[({<" + _DIGITS
_NOT_MARKS = bytes(b for b in range(256) if chr(b) not in _MARKS)
_DIGIT_BYTES = _DIGITS.encode()


class Sketch:
    """The facts of one text: computed at once where a C call makes them (encoding,
    the marks, the non-ASCII characters), on demand otherwise."""

    __slots__ = ("_lower", "_shapes", "ascii", "digits", "marks", "non_ascii", "text", "utf8")

    def __init__(self, text: str) -> None:
        self.text = text
        self.ascii = text.isascii()
        self.utf8 = text.encode("utf-8", "surrogatepass")
        # Which of @ % & \\ [ ( { < and the digits the text has: one C pass, then
        # membership tests on a few bytes.
        self.marks = self.utf8.translate(None, _NOT_MARKS)
        self.digits = len(self.marks.translate(None, _DIGIT_BYTES)) < len(self.marks)
        # The non-ASCII characters, in order, without the ASCII ones.
        self.non_ascii = (
            "" if self.ascii else self.utf8.translate(None, _ASCII).decode("utf-8", "surrogatepass")
        )
        self._lower: bytes | None = None
        self._shapes: dict[bytes, bytes] = {}

    @property
    def lower(self) -> bytes:
        """The UTF-8 text with ASCII letters in lower case (C, no Unicode tables)."""
        if self._lower is None:
            self._lower = self.utf8.lower()
        return self._lower

    def shape(self, table: bytes) -> bytes:
        """One byte per character of the text, as `table` says."""
        shape = self._shapes.get(table)
        if shape is None:
            shape = self._shapes[table] = self.utf8.translate(table, _CONTINUATION)
        return shape
