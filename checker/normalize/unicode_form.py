"""Unicode NFKC: fullwidth, mathematical, circled and superscript forms → plain ones.

``ＤＥ８９``, ``𝟖𝟗`` (mathematical bold digits), ``①``, ``⁸⁹`` and the fullwidth ``＠`` are the
same characters to a reader and to NFKC (compatibility decomposition, then canonical
composition), but not to a regex that asks for ``[0-9]`` or ``@``. German text is
unchanged: umlauts and ß are already in NFKC form (checked: the common path is one C
call, ``unicodedata.is_normalized``).

Decimal digits of every other script (Arabic-Indic ``٨٩``, Devanagari ``८९``, Thai,
Bengali …: Unicode category Nd, which NFKC leaves alone) become ASCII digits as well:
they are the same number to a reader, to Python's ``int()`` and to a bank's form.

Letter-like symbols NFKC leaves alone are read as the letter they show: regional
indicators (``🇩🇪`` reads DE), negative circled and squared capitals (``🅳🅴``); the
ideographic full stop ``。`` as a dot. Combining marks that stay on an ASCII letter or
digit after NFKC (strike-through ``8̶``, underline, keycaps ``8⃣``, "Zalgo" text) are
dropped: the reader still sees the letter.

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
# Symbols that show a Latin capital (regional indicators, negative circled and squared
# letters) and the ideographic full stop.
LETTERLIKE = {
    **{0x1F1E6 + i: chr(0x41 + i) for i in range(26)},
    **{0x1F150 + i: chr(0x41 + i) for i in range(26)},
    **{0x1F170 + i: chr(0x41 + i) for i in range(26)},
    0x3002: ".",
    0xFF61: ".",
    # Enclosing marks (keycap, circle, square) only decorate the character before them.
    **dict.fromkeys([0x0488, 0x0489, 0x1ABE, *range(0x20DD, 0x20E1), *range(0x20E2, 0x20E5)], ""),
    **dict.fromkeys(range(0xA670, 0xA673), ""),
}
_LETTERLIKE = re.compile("[" + "".join(map(chr, LETTERLIKE)) + "]")


def wanted(sketch: Sketch) -> bool:
    """The non-ASCII characters alone decide: ASCII is stable under NFKC, and the only
    marks that compose with an ASCII letter are in the blocks of _ASCII_MARKS."""
    rest = sketch.non_ascii.translate(_KEEP_DELETE) if sketch.non_ascii else ""
    return bool(rest) and (
        not unicodedata.is_normalized("NFKC", rest)
        or _ASCII_MARKS.search(rest) is not None
        or _DIGIT.search(rest) is not None
        or _LETTERLIKE.search(rest) is not None
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
            and _LETTERLIKE.search(m.group()) is None
            and not (run[0].isascii() and _ASCII_MARKS.match(run, 1))
            and _LETTERLIKE.search(run) is None
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
    if ord(char) in LETTERLIKE:
        return str(LETTERLIKE[ord(char)])
    normal = unicodedata.normalize("NFKC", char)
    digit = unicodedata.decimal(normal, None) if len(normal) == 1 else None
    return normal if digit is None else str(digit)


def _nfkc_cluster(cluster: str) -> str:
    normal = unicodedata.normalize("NFKC", cluster.translate(LETTERLIKE))
    normal = _DIGIT.sub(lambda m: str(unicodedata.decimal(m.group())), normal)
    if len(normal) > 1 and any(map(unicodedata.combining, normal[1:])):
        # Marks NFKC could not compose (strike-through, underline, "Zalgo"): the reader
        # sees the base, so the scan does too when it is ASCII.
        base = unicodedata.normalize("NFD", normal[0])[0]
        if base.isascii() and base.isprintable():
            return base
    return normal


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
