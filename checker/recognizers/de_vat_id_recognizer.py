"""Checksum-validated recognizer for the German USt-IdNr (entity ``DE_VAT_ID``)."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from presidio_analyzer.predefined_recognizers import (
    DeVatIdRecognizer as _UpstreamDeVatIdRecognizer,
)
from stdnum.de import vat

from checker.recognizers.cue_gated_number import CueGatedNumber

# Whole-word cues, German and English (case-insensitive). Whole words matter:
# upstream's substring cue "vat" also fires in "privat"/"Privatadresse".
_CUE_RE = re.compile(
    r"(?<![^\W\d_])(?:"
    r"ust[- ]?id(?:[- ]?nr)?|ust[- ]?identifikationsnummer"
    r"|umsatzsteuer[- ]?id(?:entifikationsnummer)?(?:[- ]?nr)?"
    r"|umsatzsteueridentifikationsnummer|mwst[- ]?id(?:[- ]?nr)?"
    r"|vat(?:[- ]?(?:id|no|number|reg(?:istration)?(?:\s+no|\s+number)?))?"
    r"|vat\s+identification\s+number|vies"
    r")(?![^\W\d_])",
    re.IGNORECASE,
)
_PREFIX_CHARS = 60
_SUFFIX_CHARS = 40  # "… ist die USt-IdNr. unseres Lieferanten"

_COMPACT_SCORE = 0.5  # "DE" + 9 digits, checksum valid: self-describing shape
_SEPARATED_SCORE = 0.4  # "DE 123 456 789": needs a cue word
_START = r"(?<!\w)"
_END = r"(?!\w)(?![.,]\d)"
_PATTERNS = (
    Pattern(
        "USt-IdNr (DE + 9 digits)",
        _START + r"(?-i:DE)[1-9]\d{8}" + _END,
        _COMPACT_SCORE,
    ),
    Pattern(
        "USt-IdNr (DE + 9 digits with separators)",
        # At least one separator; the compact form is the pattern above.
        _START + r"(?-i:DE)(?!\d{9}(?!\w))[ .\-]?[1-9]\d{2}[ .\-]?\d{3}[ .\-]?\d{3}" + _END,
        _SEPARATED_SCORE,
    ),
)
# Presidio's own enhancer matches these as substrings of lemmas: only safe ones.
_CONTEXT = (
    "umsatzsteuer",
    "ust-idnr",
    "ustidnr",
    "ust-id",
    "ustid",
)


class DeVatIdRecognizer(CueGatedNumber, _UpstreamDeVatIdRecognizer):
    """Recognize the German Umsatzsteuer-Identifikationsnummer (USt-IdNr).

    Format: ``DE`` + 9 digits, first digit not 0, the ninth digit an ISO 7064
    MOD 11,10 check digit (``stdnum.de.vat``). Accepted as ``DE123456789`` (upper-case
    ``DE``) and with separators ``DE 123 456 789``, ``DE-123-456-789``,
    ``DE.123.456.789``. Fictitious example (check digit computed):
    ``USt-IdNr.: DE123456788``.

    Scores: the compact form with a valid checksum scores 0.5 on its own (the country
    prefix plus checksum make the shape self-describing); a separated form scores 0.4
    and needs a cue. A whole-word cue (USt-IdNr, Umsatzsteuer-ID, VAT ID, VAT no, ...)
    adds 0.35 → 0.85 / 0.75.

    Deviations from upstream (Presidio 2.2.366):

    * upstream keeps a number with a *wrong* checksum at its pattern score (0.5,
      i.e. reported) unless ``strict_checksum=True``; here a wrong checksum drops
      the match.
    * upstream returns ``True`` for a valid checksum, which Presidio turns into
      score 1.0 and so skips any context gate; here ``None`` keeps the base score.
    * upstream accepts a leading 0 after ``DE`` (stdnum and the BZSt do not) and,
      because PatternRecognizer matches case-insensitively by default, ``de...``.
    * upstream's context list is substring-matched and over-broad ("vat" hits
      "privat", "rechnung"/"invoice"/"finanzamt" are on every invoice).
    """

    ENTITY = "DE_VAT_ID"
    NUMBER_PATTERNS = _PATTERNS
    CUE_WORDS = _CONTEXT
    CUE_RE = _CUE_RE
    CUE_BEFORE = _PREFIX_CHARS
    CUE_AFTER = _SUFFIX_CHARS

    def checksum_ok(self, text: str) -> bool:
        return bool(vat.is_valid(text))
