"""Spelled-out e-mail addresses → the address: ``max [at] firma [dot] de``.

Inside something shaped like an address — labels joined by dots, one at — these
are rewritten (case-insensitive):

- a bracketed at — ``[at]``, ``(at)``, ``{at}``, ``<at>``, ``(ät)``, ``[@]``, with or
  without spaces — and spaces around an ``@`` (``max @ firma.de``) → ``@``;
- a spelled ``at`` (``max at firma dot de``) → ``@``, but only when the domain has a
  spelled or bracketed dot: "look at example.com" is English, not an address;
- a bracketed dot (``[dot]``, ``(punkt)``, ``[.]``) or a spelled one (``dot``,
  ``punkt``) → ``.``;
- a quoted local part (``"max.muster"@firma.de``, RFC 5322's quoted string, which
  Presidio's pattern does not take) → the quotes removed.

A plain address is left alone. Every quantifier is bounded and a match can only start
at the beginning of a word, so a position costs a bounded number of steps.
"""

from __future__ import annotations

import re

from checker.normalize.offsets import Rewrite, Rewriter
from checker.normalize.sketch import Sketch

_OPEN, _CLOSE = r"[\[\(\{<]", r"[\]\)\}>]"
_BRACKETED_AT = rf"\s{{0,3}}{_OPEN}\s{{0,2}}(?:at|ät|@)\s{{0,2}}{_CLOSE}\s{{0,3}}"
_SPELLED_AT = r"\s{1,3}(?:at|ät)\s{1,3}"
_SPACED_AT = r"\s{1,3}@\s{0,3}|\s{0,3}@\s{1,3}"
_BRACKETED_DOT = rf"\s{{0,3}}{_OPEN}\s{{0,2}}(?:dot|punkt|\.)\s{{0,2}}{_CLOSE}\s{{0,3}}"
_SPELLED_DOT = r"\s{1,3}(?:dot|punkt)\s{1,3}"
_OBFUSCATED_DOT = re.compile(f"{_BRACKETED_DOT}|{_SPELLED_DOT}", re.I)
_DOT = rf"(?:{_BRACKETED_DOT}|{_SPELLED_DOT}|\.)"
# Possessive: what follows a label never starts with a label character, so giving
# characters back could not help, and not trying saves most of the regex's work.
_LOCAL_LABEL = r"[\w+-]{1,64}+"
_DOMAIN_LABEL = r"[\w-]{1,63}+"
_ADDRESS = re.compile(
    rf"(?<![\w+.-])(?P<local>{_LOCAL_LABEL}(?:{_DOT}{_LOCAL_LABEL}){{0,4}})"
    rf"(?P<at>{_BRACKETED_AT}|{_SPACED_AT}|{_SPELLED_AT}|@)"
    rf"(?P<domain>{_DOMAIN_LABEL}(?:{_DOT}{_DOMAIN_LABEL}){{1,8}})(?![\w-])",
    re.I,
)
_SPELLED_AT_RE = re.compile(_SPELLED_AT, re.I)
# A quoted local part right before an at (the at and the domain are checked by _ADDRESS
# once the quotes are gone; here only what lies between the quotes).
_QUOTED_LOCAL = re.compile(
    rf'"(?P<local>{_LOCAL_LABEL}(?:\.{_LOCAL_LABEL}){{0,4}})"(?=\s{{0,3}}@\s{{0,3}}[\w-]{{1,63}}\.[\w-])'
)
_DOT_WORD = re.compile(rb"(?:dot|punkt)\s")
_BRACKETED_BYTES = re.compile(
    rb"[\[\(\{<]\s{0,2}(?:at|\xc3\xa4t|@|dot|punkt|\.)\s{0,2}[\]\)\}>]", re.I
)
# A spelled at, the first domain labels, a spelled dot.
# (No white space demanded before the at, and "at" and "ät" apart: a pattern that starts
# with a literal lets the regex engine jump between candidates instead of trying every
# position.)
_SPELLED_AT_DOT = tuple(
    re.compile(at + rb"\s{1,3}[\w.-]+\s{1,3}(?:dot|punkt)\s") for at in (b"at", b"\xc3\xa4t")
)


def wanted(sketch: Sketch) -> bool:
    """An at that is bracketed or has spaces around it, or a spelled dot with an at
    (spelled or plain) before it: byte tests first, regexes only then."""
    text, marks = sketch.text, sketch.marks
    for bracket in b"[({<":
        if bracket in marks:
            i = sketch.utf8.find(bracket)
            while i >= 0:
                if _BRACKETED_BYTES.match(sketch.utf8, i):
                    return True
                i = sketch.utf8.find(bracket, i + 1)
    if b"@" in marks:
        at = text.find("@")
        while at >= 0:
            before = text[at - 1 : at]
            if before.isspace() or before == '"' or text[at + 1 : at + 2].isspace():
                return True
            at = text.find("@", at + 1)
    lower = sketch.lower
    if (b"dot" not in lower and b"punkt" not in lower) or not _spelled_dot(lower):
        return False
    return b"@" in marks or any(spelled.search(lower) for spelled in _SPELLED_AT_DOT)


def _spelled_dot(lower: bytes) -> bool:
    """A "dot" or "punkt" as a word of its own (not "Punkte", "Anekdote")."""
    for m in _DOT_WORD.finditer(lower):
        if m.start() > 0 and lower[m.start() - 1 : m.start()].isspace():
            return True
    return False


def rewrite(text: str) -> Rewrite | None:
    edits: list[tuple[int, int, str]] = []
    if '"' in text:
        for q in _QUOTED_LOCAL.finditer(text):
            edits += [(q.start(), q.start() + 1, ""), (q.end() - 1, q.end(), "")]
    for m in _ADDRESS.finditer(text):
        dots = [
            d.span()
            for group in ("local", "domain")
            for d in _OBFUSCATED_DOT.finditer(text, m.start(group), m.end(group))
        ]
        at = m.group("at")
        if at == "@" and not dots:
            continue  # a plain address
        if _SPELLED_AT_RE.fullmatch(at) and not any(s >= m.start("domain") for s, _ in dots):
            continue  # "look at example.com"
        edits += [*((s, e, ".") for s, e in dots), (m.start("at"), m.end("at"), "@")]
    out = Rewriter(text)
    position = 0
    for start, end, replacement in sorted(edits):
        if start >= position:
            out.replace(start, end, replacement)
            position = end
    return out.result()
