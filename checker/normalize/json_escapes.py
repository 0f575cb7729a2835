"""JSON ``\\uXXXX`` and JavaScript ``\\xHH`` escapes → the characters they stand for.

A body that is not valid JSON is scanned as raw source (proxy_addon.guard), where
``\\u0044\\u0045\\u0038\\u0039…`` spells an IBAN the recognizers cannot see; a
JavaScript or Python string literal writes ``max\\x40firma.de``. Only ``\\u``
escapes and ``\\x`` escapes of printable ASCII are decoded (``\\n`` or ``\\t`` in
prose or Windows paths are left alone); an escape counts only after an odd number
of backslashes (``\\\\u0044`` is a backslash and the text "u0044"). A surrogate
pair becomes one character; a lone surrogate and control characters stay as written.
"""

from __future__ import annotations

import re
import unicodedata

from checker.normalize.offsets import Rewrite, Rewriter
from checker.normalize.sketch import Sketch

# The look-behind makes every match start at the first backslash of a run, so a
# megabyte of backslashes is one pass, not one pass per position.
_ESCAPE = re.compile(r"(?<!\\)(\\+)(?:u([0-9A-Fa-f]{4})|x([2-7][0-9A-Fa-f]))")
_LOW = re.compile(r"\\u([dD][c-fC-F][0-9A-Fa-f]{2})")


def wanted(sketch: Sketch) -> bool:
    return b"\\" in sketch.marks and ("\\u" in sketch.text or "\\x" in sketch.text)


def rewrite(text: str) -> Rewrite | None:
    if "\\u" not in text and "\\x" not in text:
        return None
    out = Rewriter(text)
    for m in _ESCAPE.finditer(text):
        if len(m.group(1)) % 2 == 0:
            continue  # an escaped backslash, then a literal "u"
        start = m.end(1) - 1  # the backslash that starts the escape
        end = m.end()
        if m.group(3) is not None:
            if m.group(3).lower() != "7f":  # DEL is a control character
                out.replace(start, end, chr(int(m.group(3), 16)))
            continue
        code = int(m.group(2), 16)
        if 0xD800 <= code < 0xDC00:
            low = _LOW.match(text, end)
            if low is None:
                continue
            code = 0x10000 + ((code - 0xD800) << 10) + (int(low.group(1), 16) - 0xDC00)
            end = low.end()
        elif 0xDC00 <= code < 0xE000:
            continue
        char = chr(code)
        if unicodedata.category(char) == "Cc" and char not in "\t\n\r":
            continue  # NUL and friends stay escaped
        out.replace(start, end, char)
    return out.result()
