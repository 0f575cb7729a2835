"""HTML character references → characters: ``&#64;``, ``&#x40;``, ``&commat;``.

Text copied from a web page or an e-mail's HTML source carries them, and they hide a
value from every recognizer (``max&#64;example&#46;com``). Decoding uses the standard
library's table of HTML5 named references (``html.unescape``); a named reference needs
its closing ``;`` (``AT&T``, ``&copy`` in prose stay), a numeric one does not, as in
browsers. Control characters and NUL stay as written.
"""

from __future__ import annotations

import html
import re
import unicodedata

from checker.normalize.offsets import Rewrite, Rewriter
from checker.normalize.sketch import Sketch

_REFERENCE = re.compile(r"&(?:#[0-9]{1,7};?|#[xX][0-9A-Fa-f]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};)")


def wanted(sketch: Sketch) -> bool:
    return b"&" in sketch.marks


def rewrite(text: str) -> Rewrite | None:
    if "&" not in text:
        return None
    out = Rewriter(text)
    for m in _REFERENCE.finditer(text):
        decoded = html.unescape(m.group())
        if decoded == m.group() or any(
            unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in decoded
        ):
            continue
        out.replace(m.start(), m.end(), decoded)
    return out.result()
