"""Recognizer for the German Reisepass document number (entity ``DE_PASSPORT``)."""

from __future__ import annotations

from presidio_analyzer.predefined_recognizers import (
    DePassportRecognizer as _UpstreamDePassportRecognizer,
)

from checker.recognizers.cue_gated_number import CueGatedNumber
from checker.recognizers.de_id_card_recognizer import (
    DOCUMENT_CONTEXT,
    DOCUMENT_CUE_RE,
    PREFIX_CHARS,
    SUFFIX_CHARS,
    document_patterns,
    is_valid_document_number,
    standalone_document_number,
)

# BMI, "German Electronic Passports" (1 Nov 2007): serial numbers of passports,
# official and diplomatic passports start with C-K (of the alphabet: C F G H J K);
# travel documents for foreigners, stateless persons and refugees with Z.
_PASSPORT_FIRST_LETTERS = "CFGHJKZ"
_BASE_SCORE = 0.4
_PATTERNS = document_patterns("Reisepassnummer", _PASSPORT_FIRST_LETTERS, _BASE_SCORE)


class DePassportRecognizer(CueGatedNumber, _UpstreamDePassportRecognizer):
    """Recognize the document number of a German passport (since Nov. 2007).

    Format: 9 characters (4-character authority code + 5 random characters) from the
    alphabet ``0-9 C F G H J K L M N P R T V W X Y Z`` (PassV Anlage 11), starting
    with ``C F G H J K`` (passport, official, diplomatic passport) or ``Z`` (travel
    document for foreigners). The 9th character is part of the number; the ICAO 9303
    7-3-1 check digit follows only in the MRZ. The BMI specimen verifies: front
    ``C01X00T47`` / MRZ ``C01X00T478D<<6408125F…``. Fictitious example:
    ``Passnummer: CF4K21N7X``.

    Separation from ``DeIdCardRecognizer``: by the first letter (ID cards use
    L-Y), see there; the cue words are shared.

    Context-gated like the ID card: the printed number has no check digit and
    "letter + 8 digits" collides with order/article numbers, so the pattern scores
    0.4; a cue (Reisepass, Passnummer, Pass-Nr., passport, Ausweis,
    Dokumentennummer, MRZ, ``P<D<<``) adds 0.35 → 0.75. The MRZ form needs a
    correct check digit. Alone in its message, line or table cell, a number with a
    letter in its random part scores 0.5, as for the ID card.

    Deviations from upstream (Presidio 2.2.366): upstream treats the 9th character
    as a check digit over the first 8 — the specimen ``C01X00T47`` fails that (its
    docstring example ``C01X00T41`` is computed with the wrong rule), so about nine
    in ten real numbers were dropped and the rest scored 1.0 without context. Its
    pattern requires a digit in 9th place (real numbers may end in a letter),
    admits ID-card letters L-Y as first character (so every ID card number was
    also a passport candidate) and, being case-insensitive, lower case. Its cue
    "pass" was a substring match ("Passwort", "passend").
    """

    ENTITY = "DE_PASSPORT"
    NUMBER_PATTERNS = _PATTERNS
    CUE_WORDS = DOCUMENT_CONTEXT
    CUE_RE = DOCUMENT_CUE_RE
    CUE_BEFORE = PREFIX_CHARS
    CUE_AFTER = SUFFIX_CHARS
    STANDALONE_SCORE = 0.5

    def checksum_ok(self, text: str) -> bool:
        return bool(is_valid_document_number(text, _PASSPORT_FIRST_LETTERS))

    def stands_alone(self, text: str, start: int, end: int) -> bool:
        return standalone_document_number(text, start, end)
