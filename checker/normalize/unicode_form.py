"""Unicode NFKC: fullwidth, mathematical, circled and superscript forms → plain ones.

``ＤＥ８９``, ``𝟖𝟗`` (mathematical bold digits), ``①``, ``⁸⁹`` and the fullwidth ``＠`` are the
same characters to a reader and to NFKC (compatibility decomposition, then canonical
composition), but not to a regex that asks for ``[0-9]`` or ``@``. German text is
unchanged: umlauts and ß are already in NFKC form (checked: the common path is one C
call, ``unicodedata.is_normalized``).

Decimal digits of every other script (Arabic-Indic ``٨٩``, Devanagari ``८९``, Thai,
Bengali …: Unicode category Nd, which NFKC leaves alone) become ASCII digits as well:
they are the same number to a reader, to Python's ``int()`` and to a bank's form.

The text is normalised cluster by cluster (a starter and the combining marks after
it), so each normalised piece maps back to the characters it came from. A cluster is
cut after 30 combining marks (UAX #15's stream-safe format): CPython reorders marks by
insertion sort, so one base with a megabyte of alternating marks would be quadratic.
"""

from __future__ import annotations

import re
import unicodedata

from checker.normalize.offsets import Rewrite, Rewriter
from checker.normalize.sketch import Sketch

MAX_MARKS = 30
# Typographic dot leaders: NFKC makes "…" three dots, which helps no recognizer and
# would change ordinary German text ("Moment … ja").
KEEP = "\u2025\u2026"
_KEEP_DELETE = str.maketrans("", "", KEEP)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# Combining diacritical marks (and their extensions, supplement, marks for symbols,
# half marks): the second characters of every canonical composition whose first
# character is ASCII.
_ASCII_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# A decimal digit of any script (str patterns: \d is Unicode's Nd); on non-ASCII text
# it is never an ASCII digit.
_DIGIT = re.compile(r"\d")


def wanted(sketch: Sketch) -> bool:
    """The non-ASCII characters alone decide: ASCII is stable under NFKC, and the only
    marks that compose with an ASCII letter are in the blocks of _ASCII_MARKS."""
    rest = sketch.non_ascii.translate(_KEEP_DELETE) if sketch.non_ascii else ""
    return bool(rest) and (
        not unicodedata.is_normalized("NFKC", rest)
        or _ASCII_MARKS.search(rest) is not None
        or _DIGIT.search(rest) is not None
    )


def rewrite(text: str) -> Rewrite | None:
    if text.isascii():
        return None
    out = Rewriter(text)
    for m in _NON_ASCII.finditer(text):
        # An ASCII letter before the run may be the base of its first mark ("e\u0301").
        start = m.start() - 1 if m.start() > 0 else 0
        run = text[start : m.end()]
        if (
            unicodedata.is_normalized("NFKC", run.translate(_KEEP_DELETE))
            and _DIGIT.search(m.group()) is None
        ):
            continue
        if not any(map(unicodedata.combining, run)):
            _starters(out, run, start)
            continue
        for c_start, c_end in _clusters(text, start, m.end()):
            cluster = text[c_start:c_end]
            normal = cluster if cluster in KEEP else _nfkc_cluster(cluster)
            if normal != cluster:
                out.replace(c_start, c_end, normal, positional=len(normal) == len(cluster))
    return out.result()


def _starters(out: Rewriter, run: str, start: int) -> None:
    """A run without combining marks, character by character (C-level map): when every
    character stays one character (fullwidth, mathematical digits), as one positional
    piece; otherwise each changed character as its own piece."""
    parts = list(map(_nfkc, run))
    joined = "".join(parts)
    if len(joined) == len(run):
        out.replace(start, start + len(run), joined, positional=True)
        return
    for i, (char, part) in enumerate(zip(run, parts, strict=True)):
        if part != char:
            out.replace(start + i, start + i + 1, part)


def _nfkc(char: str) -> str:
    if char in KEEP:
        return char
    normal = unicodedata.normalize("NFKC", char)
    digit = unicodedata.decimal(normal, None) if len(normal) == 1 else None
    return normal if digit is None else str(digit)


def _nfkc_cluster(cluster: str) -> str:
    normal = unicodedata.normalize("NFKC", cluster)
    return _DIGIT.sub(lambda m: str(unicodedata.decimal(m.group())), normal)


def _clusters(text: str, start: int, end: int) -> list[tuple[int, int]]:
    clusters: list[tuple[int, int]] = []
    c_start = start
    marks = 0
    for i in range(start + 1, end):
        if unicodedata.combining(text[i]) and marks < MAX_MARKS:
            marks += 1
            continue
        clusters.append((c_start, i))
        c_start, marks = i, 0
    clusters.append((c_start, end))
    return clusters
