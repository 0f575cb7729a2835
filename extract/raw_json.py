"""Bodies that do not parse: read what a lenient upstream would read anyway.

A body the extractor rejects (a byte order mark, one invalid byte, trailing garbage,
a key written twice, nesting deeper than the walkers go, or no JSON at all) still
reaches the vendor, whose parser may be more forgiving than ours. Scanning its source
as it stands would miss a value written as JSON escapes (`\\u0044\\u0045…`, `\\"`,
`\\t` between groups). So the source is tokenized leniently: every JSON string literal
that can be found is decoded (escapes undone) and becomes a part of its own (values
split across literals meet at the seams the checker scans, checker/seams.py); the
text between the literals (numbers, words, garbage) is one more part, with JSON's
punctuation as blanks so that digits of an array read as a spaced number.
"""

from __future__ import annotations

import re

from extract.coverage import string_rule
from extract.model import TextPart
from extract.path import ROOT

RAW = ROOT.mark("raw", "raw")  # "raw[3]": the 4th string literal; "raw": the rest

# A string literal: a quote, then anything but quotes and backslashes or an escape;
# the closing quote may be missing at the very end (a cut body).
_LITERAL = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)(?:"|\Z)', re.DOTALL)
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|(.))", re.DOTALL)
_SIMPLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_PUNCTUATION = str.maketrans("{}[],:", "      ")
# More literals than this are grouped (a line each) so that a body of a million tiny
# strings costs the checker a bounded number of parts.
MAX_PARTS = 4096


def unescape(literal: str) -> str:
    """A JSON string literal's inside with its escapes undone; escapes JSON does not
    know stand for their character (as lenient parsers read them)."""
    if "\\" not in literal:
        return literal

    def one(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return chr(int(m.group(1), 16))
        return _SIMPLE.get(m.group(2), m.group(2))

    text = _ESCAPE.sub(one, literal)
    # Surrogate pairs written as two escapes become one character; lone ones stay U+FFFD.
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def raw_parts(text: str) -> list[TextPart]:
    """The decoded string literals of `text` (one part each, runs of one-character
    literals joined), then the text between them."""
    literals: list[str] = []
    between: list[str] = []
    position = 0
    for m in _LITERAL.finditer(text):
        between.append(text[position : m.start()])
        literals.append(unescape(m.group(1)))
        position = m.end()
    between.append(text[position:])
    pieces = _join_characters(literals)
    parts = [
        TextPart(RAW.index(index), piece)
        for index, piece in _grouped(pieces)
        if string_rule(piece) is None
    ]
    rest = " ".join(between).translate(_PUNCTUATION)
    if string_rule(rest) is None:
        parts.append(TextPart(RAW, rest))
    return parts


def _join_characters(literals: list[str]) -> list[tuple[int, str]]:
    """(index of the first literal, text): consecutive one-character literals joined."""
    out: list[tuple[int, str]] = []
    run_start, run = -1, ""
    for index, literal in enumerate(literals):
        if len(literal) == 1:
            if not run:
                run_start = index
            run += literal
            continue
        if run:
            out.append((run_start, run))
            run = ""
        out.append((index, literal))
    if run:
        out.append((run_start, run))
    return out


def _grouped(pieces: list[tuple[int, str]]) -> list[tuple[int, str]]:
    if len(pieces) <= MAX_PARTS:
        return pieces
    size = -(-len(pieces) // MAX_PARTS)
    return [
        (pieces[start][0], "\n".join(text for _, text in pieces[start : start + size]))
        for start in range(0, len(pieces), size)
    ]
