"""Exotic spaces → a plain space, exotic line breaks → ``\\n``.

No-break space, narrow no-break space, en/em/thin/hair spaces, the ideographic space,
the Ogham space mark, the Braille blank: recognizers know ``" "`` (and ``"-"``) as the
separator inside an IBAN or a phone number, not U+00A0 or U+2009. NEL, the line and
paragraph separators become a line break, as line-anchored rules expect.
"""

from __future__ import annotations

import re

from checker.normalize.offsets import Rewrite
from checker.normalize.sketch import Sketch

_SPACES = "\u00a0\u1680\u2000-\u200a\u202f\u205f\u2800\u3000"
_BREAKS = "\u0085\u2028\u2029"
_ANY = re.compile(f"[{_SPACES}{_BREAKS}]+")
_TABLE = str.maketrans(
    {
        **{c: " " for c in "\u00a0\u1680\u202f\u205f\u2800\u3000"},
        **{chr(c): " " for c in range(0x2000, 0x200B)},
        **{c: "\n" for c in _BREAKS},
    }
)


def wanted(sketch: Sketch) -> bool:
    return _ANY.search(sketch.non_ascii) is not None


def rewrite(text: str) -> Rewrite | None:
    if _ANY.search(text) is None:
        return None
    # One character for one: a positional map of the whole text says it all.
    return Rewrite.positional(text.translate(_TABLE))
