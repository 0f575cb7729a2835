"""Identifiers written in an unusual way → their compact upper-case form.

The recognizers know an IBAN in capitals, compact or in groups of four with spaces or
dashes; a card number compact or in fours; a Steuer-ID compact or grouped 2-3-3-3.
Written otherwise — ``de89 3704 0044 0532 0130 00``, ``DE89.3704.0044.0532.0130.00``,
``DE89/3704/…``, ``DE89:3704:…``, groups on separate lines or in markup (```DE89` `3704```),
``4111.1111.1111.1111``,
``4111/1111/1111/1111``, ``86.095.742.719``, ``de136695976``, ``lz6311t47`` — they
are not found. Such a candidate is rewritten only when its compact form passes the
identifier's check digits (python-stdnum: IBAN mod 97, Luhn, Steuer-IdNr, USt-IdNr),
so dates, amounts, versions, IP addresses and order numbers keep their dots. An ID
card or passport number has no check digit in print: a 9/10-character token of the
document alphabet with digits in it is only upper-cased, and its recognizer still
wants a cue word ("Ausweisnummer …").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import iban, luhn
from stdnum.de import idnr, vat

from checker.normalize.offsets import Rewrite, Rewriter
from checker.normalize.sketch import CLASS_SHAPE, IDENT_SHAPE, Sketch

# What may stand between the groups of an identifier someone writes out: blanks, tabs
# and line breaks, dots, underscores, slashes, colons, commas and every dash, up to
# three of them ("DE89 / 3704 - …"). The check digits decide what belongs to the
# identifier, so a path or a list whose digits happen to pass is a finding on purpose:
# whoever writes "DE89/3704/…" to an AI tool sends the IBAN (the IBAN recognizer alone
# keeps Presidio's reading of "AL47/2121/…" as no IBAN; this only rewrites for it).
# Markup around the groups counts too: `DE89` `3704`, **DE89** **3704**, "DE89" "3704",
# | DE89 | 3704 |, DE89+3704 (up to five characters between two groups).
SEPARATOR = r"[\s./:,;_\-+*|`'\"()\[\]{}<>~\u2010-\u2015\u2212\ufe58\ufe63\uff0d]"
# Country code, check digits, then up to 30 characters with separators anywhere.
_IBAN = re.compile(
    rf"[A-Za-z]{{2}}{SEPARATOR}{{0,5}}[0-9]{{2}}(?:{SEPARATOR}{{0,5}}[A-Za-z0-9]){{11,30}}"
)
_SEPARATORS = re.compile(SEPARATOR)
# What the IBAN recognizer reads as it is: capitals, compact or in fours.
_IBAN_NATIVE = re.compile(r"[A-Z0-9]+|[A-Z0-9]{4}(?: [A-Z0-9]{4})*(?: [A-Z0-9]{1,4})?")
# Digit groups joined by one and the same separator — a dot, underscore, slash, colon or
# a dash other than the ASCII one, with a blank on either side or not — which the
# recognizers do not read themselves. Not commas, tabs or line breaks: lists and
# columns of years or amounts would pass Luhn's check one time in ten (an IBAN's
# country code and mod 97 make any separator safe there). Where a match starts is
# checked in Python: a leading look-behind makes the regex engine slow everywhere.
_GROUP_SEPARATOR = r" ?[./:_\u2010-\u2015\u2212\ufe58\ufe63\uff0d] ?"
_DIGIT_GROUPS = re.compile(
    rf"\d{{1,6}}({_GROUP_SEPARATOR})\d{{1,6}}(?:\1\d{{1,6}}){{1,5}}(?![^\W_]|\1\d)"
)
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
# On the IDENT shape ("de", then digits as "0"), then checked on the text.
_VAT_SHAPE = re.compile(rb"de[ ._-]?0")
_GROUPS_SHAPE = re.compile(rb"0[ -]?[./:,_x][ -]?0")
_VAT = re.compile(r"[dD][eE][ ._-]?\d(?:[ ._-]?\d){8}(?![^\W_])")
_DOCUMENT = re.compile(
    r"(?<![^\W_])[CFGHJKLMNPRTVWXYZ][0-9CFGHJKLMNPRTVWXYZ]{8}[0-9]?(?![^\W_])", re.I
)
# The ID card and passport recognizers report a number only near one of these words
# (DOCUMENT_CUE_RE in de_id_card_recognizer.py, which these contain as substrings):
# without one, upper-casing a token cannot make a finding.
_DOCUMENT_CUES = (
    b"ausweis",
    b"pass",
    b"perso",
    b"npa",
    b"dokument",
    b"document",
    b"card",
    b"national",
    b"mrz",
    b"idd<<",
    b"p<d<<",
)
_LOWER = re.compile(r"[a-z]")


def wanted(sketch: Sketch) -> bool:
    """What each finder starts from, on the shapes: "LLDD" (an IBAN), "de" and a digit
    (a VAT id), digits around a separator (grouped digits), a document
    cue word (ID card and passport numbers)."""
    if not sketch.digits:
        return False
    classes = sketch.shape(CLASS_SHAPE)
    if b"LLDD" in classes or b"LL DD" in classes:
        return True
    shape = sketch.shape(IDENT_SHAPE)
    return (
        _VAT_SHAPE.search(shape) is not None
        or _GROUPS_SHAPE.search(shape) is not None
        or _document_cue(sketch)
    )


def _document_cue(sketch: Sketch) -> bool:
    return any(cue in sketch.lower for cue in _DOCUMENT_CUES)


def rewrite(text: str) -> Rewrite | None:
    sketch = Sketch(text)
    found = sorted([*_ibans(sketch), *_digit_groups(text), *_vat_ids(sketch), *_documents(sketch)])
    if not found:
        return None
    out = Rewriter(text)
    position = 0
    for start, end in found:
        if start < position:
            continue
        for i in range(start, end):
            char = text[i]
            if char.isalnum():
                out.replace(i, i + 1, char.upper(), positional=True)
            else:
                out.keep(i)
                out.skip(i + 1)
        position = end
    return out.result()


def _compact(span: str) -> tuple[str, list[int]]:
    """The letters and digits of `span` in capitals, and where each one stands."""
    indexes = [i for i, c in enumerate(span) if c.isalnum()]
    return "".join(span[i] for i in indexes).upper(), indexes


def _ibans(sketch: Sketch) -> Iterator[tuple[int, int]]:
    """Country code and check digits at the start of a word ("LLDD" or "LL DD" on the
    shape), then the rest."""
    text, shape = sketch.text, sketch.shape(CLASS_SHAPE)
    starts = sorted(i for needle in (b"LLDD", b"LL DD") for i in _find_all(shape, needle))
    for start in starts:
        if start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_"):
            yield from _iban_at(text, start)


def _find_all(haystack: bytes, needle: bytes) -> Iterator[int]:
    i = haystack.find(needle)
    while i >= 0:
        yield i
        i = haystack.find(needle, i + 1)


def _iban_at(text: str, start: int) -> Iterator[tuple[int, int]]:
    candidate = _IBAN.match(text, start)
    if candidate is None:
        return
    span = candidate.group()
    compact = _SEPARATORS.sub("", span).upper()
    for length in reversed(_mod97_lengths(compact)):
        if iban.is_valid(compact[:length]):
            end = start + _compact(span)[1][length - 1] + 1
            if not _IBAN_NATIVE.fullmatch(text[start:end].replace("-", " ")):
                yield start, end
            return


_VALUES = {c: int(c, 36) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def _mod97_lengths(compact: str) -> list[int]:
    """The prefix lengths (15 to 34) of `compact` that pass ISO 7064 mod 97-10, in one
    pass instead of one per length (the checked number is the rest, then the first
    four characters; letters count as 10 to 35). python-stdnum confirms a hit."""
    values = [_VALUES[c] for c in compact[:34]]
    head = 0
    head_digits = 0
    for value in values[:4]:
        width = 2 if value > 9 else 1
        head = head * 10**width + value
        head_digits += width
    head %= 97
    shift = pow(10, head_digits, 97)
    rest = 0
    lengths = []
    for length, value in enumerate(values[4:], start=5):
        rest = (rest * (100 if value > 9 else 10) + value) % 97
        if length >= 15 and (rest * shift + head) % 97 == 1:
            lengths.append(length)
    return lengths


def _digit_groups(text: str) -> Iterator[tuple[int, int]]:
    for m in _DIGIT_GROUPS.finditer(text):
        before = text[m.start() - 1 : m.start()]
        if before in (".", "_") or before.isalnum() or _IPV4.fullmatch(m.group()):
            continue
        digits = re.sub(r"\D", "", m.group())
        if (len(digits) == 11 and idnr.is_valid(digits)) or (
            13 <= len(digits) <= 19 and digits[0] in "23456" and luhn.is_valid(digits)
        ):
            yield m.span()


def _vat_ids(sketch: Sketch) -> Iterator[tuple[int, int]]:
    text = sketch.text
    for hit in _VAT_SHAPE.finditer(sketch.shape(IDENT_SHAPE)):
        start = hit.start()
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue
        m = _VAT.match(text, start)
        if m is None:
            continue
        compact, _ = _compact(m.group())
        if compact != m.group() and vat.is_valid(compact):
            yield m.span()


def _documents(sketch: Sketch) -> Iterator[tuple[int, int]]:
    text = sketch.text
    if not _document_cue(sketch):
        return
    for m in _DOCUMENT.finditer(text):
        token = m.group()
        if _LOWER.search(token) and sum(c.isdigit() for c in token) >= 2:
            yield m.span()
