"""Context-gated recognizer for the German Steuer-IdNr (entity ``DE_TAX_ID``)."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from presidio_analyzer.predefined_recognizers import (
    DeTaxIdRecognizer as _UpstreamDeTaxIdRecognizer,
)
from stdnum.de import idnr

from checker.recognizers.cue_gated_number import CueGatedNumber

# Cue words, German and English, matched as whole words (case-insensitive) in a
# short window around the number. Whole-word matching matters for "TIN": as a
# substring it would hit "Meeting", "Martin" or "Setting".
_CUE_RE = re.compile(
    r"(?<![^\W\d_])(?:"
    r"steuer[- ]?id(?:[- ]?nr)?|steuer[- ]?identifikations(?:nummer|nr)"
    r"|steuerliche[n]?\s+identifikations(?:nummer|nr)|identifikationsnummer|id[- ]?nr"
    r"|steuernummer|bzst"
    r"|tax[- ]?id(?:entification)?(?:\s+(?:number|no))?|taxpayer[- ]?id|tin"
    r")(?![^\W\d_])",
    re.IGNORECASE,
)
_PREFIX_CHARS = 60  # about the five words Presidio's own enhancer looks back
_SUFFIX_CHARS = 30  # "47193582616 ist meine Steuer-ID"

_BASE_SCORE = 0.3
# Not glued to letters/digits, and not part of "1.234..." style number runs.
_START = r"(?<!\w)(?<!\d[.,])"
_END = r"(?!\w)(?![.,]\d)"
_PATTERNS = (
    Pattern("Steuer-IdNr (11 digits)", _START + r"[1-9]\d{10}" + _END, _BASE_SCORE),
    Pattern(
        "Steuer-IdNr (grouped NN NNN NNN NNN)",
        _START + r"[1-9]\d [0-9]{3} [0-9]{3} [0-9]{3}" + _END,
        _BASE_SCORE,
    ),
)
# For Presidio's own context enhancer (substring matching on lemmas): only words
# that are safe as substrings. "tin" and "tax id" are handled by _CUE_RE in
# enhance_using_context instead.
_CONTEXT = (
    "steueridentifikationsnummer",
    "identifikationsnummer",
    "steuer-id",
    "steuerid",
    "steuer-idnr",
    "idnr",
    "steuernummer",
    "bzst",
)


class DeTaxIdRecognizer(CueGatedNumber, _UpstreamDeTaxIdRecognizer):
    """Recognize the German Steueridentifikationsnummer (IdNr), gated by context.

    Format: 11 digits, first digit not 0; in the first ten digits exactly one digit
    occurs twice or three times; the last digit is an ISO 7064 MOD 11,10 check digit.
    Also accepted in the printed grouping ``NN NNN NNN NNN``. Fictitious example
    (check digit computed, not a real person's): ``Steuer-ID: 47193582616`` or
    ``IdNr. 47 193 582 616``.

    Why context-gated: a checksum alone is weak evidence. Upstream reports that the
    bare checksum promotes about 9 % of random 11-digit numbers (Presidio PR #2284),
    and 11-digit numbers are common (order numbers, phone numbers without
    separators). So the pattern score stays at 0.3, below the 0.5 threshold, and a
    cue word near the number (Steuer-ID, Steueridentifikationsnummer, IdNr, tax ID,
    TIN, ...) or a column header with one adds 0.35. Alone in its message, line or
    table cell it scores 0.5 (unless the column header names another kind of
    number): that is how an IdNr arrives when it arrives bare, and there 11 digits are
    rarely anything else. The checksum uses ``stdnum.de.idnr`` (current BZSt digit
    rules) instead of the upstream hand-rolled check.

    ``validate_result`` returns ``None`` for a valid number on purpose: Presidio
    turns ``True`` into score 1.0, which would skip the context gate; ``False``
    (invalid checksum) drops the match.
    """

    ENTITY = "DE_TAX_ID"
    NUMBER_PATTERNS = _PATTERNS
    CUE_WORDS = _CONTEXT
    CUE_RE = _CUE_RE
    CUE_BEFORE = _PREFIX_CHARS
    CUE_AFTER = _SUFFIX_CHARS
    STANDALONE_SCORE = 0.5

    def checksum_ok(self, text: str) -> bool:
        return bool(idnr.is_valid(text))
