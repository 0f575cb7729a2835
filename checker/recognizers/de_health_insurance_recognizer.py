"""Checksum-validated recognizer for the German KVNR (entity ``DE_HEALTH_INSURANCE``)."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from presidio_analyzer.predefined_recognizers import (
    DeHealthInsuranceRecognizer as _UpstreamDeHealthInsuranceRecognizer,
)

from checker.recognizers.cue_gated_number import CueGatedNumber

# Whole words: upstream's substring cues "dak"/"egk"/"gkv" fire inside other words.
_CUE_RE = re.compile(
    r"(?<![^\W\d_])(?:"
    r"kranken(?:versicherten|versicherungs)[- ]?(?:nummer|nr)|versicherten[- ]?(?:nummer|nr)"
    r"|kv[- ]?(?:nummer|nr)|kvnr|krankenkasse|krankenversicherung|gesundheitskarte"
    r"|versichertenkarte|egk|gkv|aok|tk|barmer|dak|ikk|bkk|hkk|kkh"
    r"|health\s+insurance(?:\s+(?:number|no|card|id))?|insurance\s+(?:number|no|id)"
    r"|insured\s+person(?:'s)?\s+number|member\s+id"
    r")(?![^\W\d_])",
    re.IGNORECASE,
)
_PREFIX_CHARS = 60
_SUFFIX_CHARS = 40  # "… ist meine Krankenversichertennummer"

_BASE_SCORE = 0.4
_PATTERNS = (
    Pattern(
        "Krankenversichertennummer (letter + 9 digits)",
        r"(?<!\w)(?-i:[A-Za-z])\d{9}(?!\w)(?![.,]\d)",
        _BASE_SCORE,
    ),
)
_CONTEXT = (
    "krankenversichertennummer",
    "krankenversicherungsnummer",
    "versichertennummer",
    "krankenkasse",
    "krankenversicherung",
    "gesundheitskarte",
    "versichertenkarte",
)
_KVNR_RE = re.compile(r"[A-Z]\d{9}")


def calc_check_digit(first_nine: str) -> str:
    """The check digit for a KVNR's letter + 8 digits.

    Rule (GKV-Spitzenverband, Richtlinien zum Aufbau der Krankenversichertennummer
    nach § 290 SGB V): replace the letter by its two-digit position (A=01 … Z=26),
    multiply the 10 digits alternately by 1 and 2, add the digit sums (Quersummen)
    of the products; the check digit is that total modulo 10. python-stdnum has no
    module for this number, hence the own implementation.
    """
    letter = first_nine[0].upper()
    digits = f"{ord(letter) - ord('A') + 1:02d}" + first_nine[1:9]
    total = sum(sum(divmod(int(d) * (1 + i % 2), 10)) for i, d in enumerate(digits))
    return str(total % 10)


def is_valid(number: str) -> bool:
    """Whether ``number`` is a KVNR (unchangeable part) with a correct check digit."""
    return _KVNR_RE.fullmatch(number) is not None and calc_check_digit(number) == number[9]


class DeHealthInsuranceRecognizer(CueGatedNumber, _UpstreamDeHealthInsuranceRecognizer):
    """Recognize the German Krankenversichertennummer (KVNR), gated by context.

    Format (10 characters, the unchangeable part printed on the eGK): a letter (the
    card prints it upper case; typed lower case counts too, the check digit guards
    it), 8 digits, a check digit (§ 290 SGB V, GKV-Spitzenverband rule; see
    ``calc_check_digit``). Fictitious example (check digit computed):
    ``Versichertennummer A123456780``; the GKV's own example ``A000500015`` verifies.

    Why context-gated: "letter + 9 digits" is also the shape of article, order and
    ticket numbers, and the check digit lets one in ten through. So the pattern
    scores 0.4; a whole-word cue (Krankenversichertennummer, Versichertennummer,
    KVNR, Krankenkasse, eGK, AOK/TK/Barmer/DAK, health insurance number, ...) nearby or
    as the column header adds 0.35 → 0.75. A number alone in its message, line or
    table cell (a pasted cell, a chat message with just the number) scores 0.5,
    unless its column header names another kind of number (Artikelnummer, SKU, ...).

    Deviations from upstream (Presidio 2.2.366): the check-digit rule is the same,
    but upstream returns ``True`` for a valid number, which Presidio turns into
    score 1.0 without any context (every tenth article number "B123456789"-style
    becomes a health-data finding); its cue words are matched as substrings ("dak",
    "egk").
    """

    ENTITY = "DE_HEALTH_INSURANCE"
    NUMBER_PATTERNS = _PATTERNS
    CUE_WORDS = _CONTEXT
    CUE_RE = _CUE_RE
    CUE_BEFORE = _PREFIX_CHARS
    CUE_AFTER = _SUFFIX_CHARS
    STANDALONE_SCORE = 0.5

    def checksum_ok(self, text: str) -> bool:
        return bool(is_valid(text.upper()))
