"""Recognizer for the German lifetime doctor number LANR (entity ``DE_LANR``)."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from presidio_analyzer.predefined_recognizers import DeLanrRecognizer as _UpstreamDeLanrRecognizer

from checker.recognizers.cue_gated_number import CueGatedNumber

_WEIGHTS = (4, 9, 4, 9, 4, 9)
_LANR_RE = re.compile(r"\d{9}")


def calc_check_digit(first_six: str) -> str:
    """The 7th digit of a LANR from the six-digit doctor number before it.

    Rule (KBV, Richtlinie nach § 75 Abs. 7 SGB V zur Vergabe der Arzt- und
    Betriebsstättennummern): multiply the six digits alternately by 4 and 9, add the
    products, and take the difference of the sum's last digit to 10 (0 when it is 0).
    python-stdnum has no module for this number, hence the own implementation.
    """
    total = sum(int(d) * w for d, w in zip(first_six, _WEIGHTS, strict=True))
    return str((10 - total % 10) % 10)


def is_valid(number: str) -> bool:
    """Whether ``number`` is a LANR: 9 digits whose 7th is the check digit."""
    return _LANR_RE.fullmatch(number) is not None and calc_check_digit(number[:6]) == number[6]


_CUE_RE = re.compile(
    r"(?<![^\W\d_])(?:"
    r"lanrs?|arzt[- ]?(?:nummern?|nr)|arztnr|lebenslangen?\s+arztnummern?"
    r"|(?:doctor|physician)(?:'s)?\s+(?:number|no|id)"
    r")(?![^\W\d_])",
    re.IGNORECASE,
)
_PREFIX_CHARS = 60
_SUFFIX_CHARS = 40  # "… (LANR) auf dem Rezept"
_BASE_SCORE = 0.4
_PATTERNS = (
    Pattern(
        "LANR (9 digits, KBV check digit)",
        r"(?<!\w)(?<!\d[.,])\d{9}(?!\w)(?![.,]\d)",
        _BASE_SCORE,
    ),
)
_CONTEXT = ("arztnummer", "lanr")


class DeLanrRecognizer(CueGatedNumber, _UpstreamDeLanrRecognizer):
    """Recognize the lifetime doctor number (lebenslange Arztnummer, LANR), by context.

    Format (KBV, § 75 Abs. 7 SGB V): nine digits — a six-digit doctor number, a check
    digit (see ``calc_check_digit``) and a two-digit specialty group. Fictitious
    example (check digit computed): ``LANR 123456601``. The number belongs to one
    doctor for life and is on every prescription and referral: personal data of the
    doctor (data class "personal"; it is no health data of the patient).

    Why context-gated, also when it stands alone: nine digits with a check digit that
    lets one in ten through is the shape of countless order, customer and ticket
    numbers. So the pattern scores 0.4; a whole-word cue (LANR, Arztnummer, Arzt-Nr.,
    lebenslange Arztnummer, doctor number) before or shortly after it, or as its column
    header, lifts it to 0.75.

    Deviations from upstream (Presidio 2.2.366): the check-digit rule is the same, but
    upstream returns ``True`` for a valid number, which Presidio turns into score 1.0
    without any context (one in ten 9-digit numbers), and its context list includes
    everyday words of a practice ("Rezept", "Hausarzt", "Facharzt") as substrings.
    """

    ENTITY = "DE_LANR"
    NUMBER_PATTERNS = _PATTERNS
    CUE_WORDS = _CONTEXT
    CUE_RE = _CUE_RE
    CUE_BEFORE = _PREFIX_CHARS
    CUE_AFTER = _SUFFIX_CHARS
    PRESIDIO_CONTEXT = False

    def checksum_ok(self, text: str) -> bool:
        return is_valid(text)
