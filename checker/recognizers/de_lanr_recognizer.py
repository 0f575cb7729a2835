"""Recognizer for the German lifetime doctor number LANR (entity ``DE_LANR``)."""

from __future__ import annotations

import re

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
