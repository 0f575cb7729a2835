"""Invisible characters → removed: ``D\u200bE\u200b8\u200b9…`` is ``DE89…``.

Zero-width space, joiners and non-joiner, word joiner, BOM, soft hyphen, bidi marks
and overrides, invisible operators, tag characters (all of Unicode's "Cf" format
category), and the other characters that render as nothing: variation selectors,
the combining grapheme joiner, Hangul fillers, Mongolian free variation selectors,
Khmer inherent vowels. Between two letters of a word, none of them is ever needed
to read it; inside a value they only hide it. tests/checker/test_normalize_unicode.py
checks that every "Cf" character of the running Python's Unicode database is here.
"""

from __future__ import annotations

import re

from checker.normalize.offsets import Rewrite, Rewriter
from checker.normalize.sketch import Sketch

INVISIBLE = (
    # Unicode 15.1 "Cf"
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f"
    # render as nothing, but not "Cf"
    "\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180d\u180f\u3164\ufe00-\ufe0f\uffa0"
    "\U000e0100-\U000e01ef"
)
_RUN = re.compile(f"[{INVISIBLE}]+")


def wanted(sketch: Sketch) -> bool:
    return _RUN.search(sketch.non_ascii) is not None


def rewrite(text: str) -> Rewrite | None:
    if text.isascii():
        return None
    first = _RUN.search(text)
    if first is None:
        return None
    out = Rewriter(text)
    for m in _RUN.finditer(text, first.start()):
        out.keep(m.start())
        out.skip(m.end())
    return out.result()
