"""Checksum-validated recognizer for the German Versicherungsnummer (``DE_SOCIAL_SECURITY``)."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from presidio_analyzer.predefined_recognizers import (
    DeSocialSecurityRecognizer as _UpstreamDeSocialSecurityRecognizer,
)

from checker.recognizers.cue_gated_number import CueGatedNumber

_CUE_RE = re.compile(
    r"(?<![^\W\d_])(?:"
    r"(?:renten|sozial)?versicherungsnummer|(?:renten|sozial)versicherungs[- ]?nr"
    # abbreviated on forms: "Rentenvers.-Nr.", "Sozialvers.-Nr.", "Vers.-Nr."
    r"|(?:renten|sozial)?vers\.[- ]?nr"
    r"|sv[- ]?(?:nummer|nr|ausweis)|svnr|rv[- ]?(?:nummer|nr)|rvnr|vsnr"
    r"|sozialversicherungsausweis|rentenversicherung|sozialversicherung"
    r"|deutsche\s+rentenversicherung|drv"
    r"|social\s+(?:security|insurance)(?:\s+(?:number|no))?"
    r"|pension\s+insurance(?:\s+(?:number|no))?|ssn"
    r")(?![^\W\d_])",
    re.IGNORECASE,
)
_PREFIX_CHARS = 60
_SUFFIX_CHARS = 40  # "… ist meine Rentenversicherungsnummer"

_BASE_SCORE = 0.4
# BB TTMMJJ A SSP: area number, birth date (day +50 when the serials of that day
# are used up), initial of the birth surname, serial, check digit. One optional
# space between the groups, as printed on the Sozialversicherungsausweis.
_REGEX = (
    r"(?<!\w)(?<!\d[.,])"
    r"\d{2} ?"
    r"(?:0[1-9]|[12]\d|3[01]|5[1-9]|[67]\d|8[01])"  # day 01-31 or 51-81
    r"(?:0[1-9]|1[0-2])"  # month
    r"\d{2} ?"  # year
    r"(?-i:[A-Z]) ?"  # initial of the birth surname, upper case only
    r"\d{2}\d"  # serial + check digit
    r"(?!\w)(?![.,]\d)"
)
_PATTERNS = (Pattern("Versicherungsnummer (BB TTMMJJ A SSP)", _REGEX, _BASE_SCORE),)
_CONTEXT = (
    "rentenversicherungsnummer",
    "sozialversicherungsnummer",
    "versicherungsnummer",
    "sozialversicherungsausweis",
    "rentenversicherung",
    "sozialversicherung",
)

# DRV weights for the 12 data digits (letter expanded to its two-digit position).
_WEIGHTS = (2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1)
_COMPACT_RE = re.compile(r"\d{8}[A-Z]\d{3}")


def calc_check_digit(first_eleven: str) -> str:
    """The check digit for ``BBTTMMJJ`` + letter + 2-digit serial (11 characters).

    Rule (Deutsche Rentenversicherung, Prüfziffer der Versicherungsnummer, VKVV):
    replace the letter by its two-digit position in the alphabet (A=01 … Z=26),
    multiply the resulting 12 digits by 2,1,2,5,7,1,2,1,2,1,2,1, add the digit sums
    (Quersummen) of the products; the check digit is that total modulo 10.
    python-stdnum has no module for this number, hence the own implementation.
    """
    letter = first_eleven[8].upper()
    digits = first_eleven[:8] + f"{ord(letter) - ord('A') + 1:02d}" + first_eleven[9:11]
    total = sum(sum(divmod(int(d) * w, 10)) for d, w in zip(digits, _WEIGHTS, strict=True))
    return str(total % 10)


def is_valid(number: str) -> bool:
    """Whether ``number`` (spaces allowed) is a well-formed Versicherungsnummer."""
    compact = number.replace(" ", "").upper()
    if not _COMPACT_RE.fullmatch(compact):
        return False
    day, month = int(compact[2:4]), int(compact[4:6])
    if not (1 <= day <= 31 or 51 <= day <= 81) or not 1 <= month <= 12:
        return False
    return calc_check_digit(compact[:11]) == compact[11]


class DeSocialSecurityRecognizer(CueGatedNumber, _UpstreamDeSocialSecurityRecognizer):
    """Recognize the German Renten-/Sozialversicherungsnummer, gated by context.

    Format (12 characters): ``BB TTMMJJ A SSP`` — area number (2 digits), birth date
    ``TTMMJJ`` (day + 50 as "Ergänzungsmerkmal"), initial of the birth surname
    (A-Z), serial (2 digits, 00-49 male, 50-99 female), check digit. Accepted
    compact (``65170839J003``) or with single spaces as printed on the
    Sozialversicherungsausweis (``65 170839 J 003``). Fictitious example (check
    digit computed): ``SV-Nummer: 12 010190 M 004``.

    Why context-gated: the shape collides with batch/order numbers built from a
    date and a letter ("20240315A001"), and the check digit lets one in ten through.
    So the pattern scores 0.4; a cue word (Rentenversicherungsnummer, SV-Nummer,
    Sozialversicherungsausweis, social security number, ...) nearby or as the column
    header adds 0.35 → 0.75. Alone in its message, line or table cell (a pasted cell,
    a chat message with just the number) it scores 0.5 — unless its column header
    names another kind of number (Charge, Artikelnummer, ...).

    Deviations from upstream (Presidio 2.2.366): upstream's check-digit rule is
    right (the DRV example 15 070649 C 103 and 65 170839 J 003 verify with both),
    but upstream returns ``True`` for a valid number, which Presidio turns into
    score 1.0 without any context; it does not accept the printed spaced form;
    and, as PatternRecognizer is case-insensitive by default, its ``[A-Z]`` also
    accepts lower-case letters. Here the letter must be upper case.
    """

    ENTITY = "DE_SOCIAL_SECURITY"
    NUMBER_PATTERNS = _PATTERNS
    CUE_WORDS = _CONTEXT
    CUE_RE = _CUE_RE
    CUE_BEFORE = _PREFIX_CHARS
    CUE_AFTER = _SUFFIX_CHARS
    STANDALONE_SCORE = 0.5

    def checksum_ok(self, text: str) -> bool:
        return bool(is_valid(text))
