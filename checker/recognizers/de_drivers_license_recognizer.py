"""Recognizer for the German Führerscheinnummer (entity ``DE_DRIVERS_LICENSE``)."""

from __future__ import annotations

import re

# Card licences (since 1999): authority key (Land letter A-P in alphabetical order of
# the Länder, 2-digit district, 1 character for the office), 5-character serial
# (0-9, then A-Z), check character (0-9 or X), issue number.
_CARD_RE = re.compile(r"[A-P]\d{2}[0-9A-Z][0-9A-Z]{5}[0-9X][0-9A-Z]")
_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def calc_check_character(first_nine: str) -> str:
    """The 10th character of a card licence number from the nine before it.

    Rule (as for the vehicle identification number): the characters' values (digits
    at face value, A=10 ... Z=35) times the weights 9, 8, ... 1, summed, modulo 11;
    a remainder of 10 is written ``X``. The specimen licence ``B072RRE2I55``
    verifies: 467 mod 11 = 5. python-stdnum has no module for this number.
    """
    total = sum(_VALUES[c] * w for c, w in zip(first_nine, range(9, 0, -1), strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def is_valid(number: str) -> bool:
    """Whether ``number`` is a card licence number with a correct check character."""
    return _CARD_RE.fullmatch(number) is not None and calc_check_character(number[:9]) == number[9]


# Whole-word cues, German and English. "Führerschein" alone counts: a licence number is
# what follows it; "Klasse B" after it has no digits and is no candidate.
CUE_RE = re.compile(
    r"(?<![^\W\d_])(?:"
    r"führerschein(?:nummer|[- ]?nr)?|fahrerlaubnis(?:nummer|[- ]?nr)?"
    r"|führerscheininhaber(?:in)?|kartenführerschein"
    r"|driv(?:er'?s|ing)[- ]licen[cs]e(?:\s+(?:number|no))?|licen[cs]e\s+(?:number|no)"
    r")(?![^\W\d_])",
    re.IGNORECASE,
)
