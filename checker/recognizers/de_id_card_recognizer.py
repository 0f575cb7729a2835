"""Recognizer for the German Personalausweis document number (entity ``DE_ID_CARD``)."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from presidio_analyzer.predefined_recognizers import (
    DeIdCardRecognizer as _UpstreamDeIdCardRecognizer,
)

from checker.recognizers.cue_gated_number import CueGatedNumber
from checker.recognizers.standalone import is_standalone

# PassV Anlage 11 / PAuswV: the only characters of an alphanumeric serial number.
ALPHABET = "0123456789CFGHJKLMNPRTVWXYZ"
_ALNUM = "[0-9CFGHJKLMNPRTVWXYZ]"
_WEIGHTS = (7, 3, 1)

# ID-document cues shared with DePassportRecognizer: the first letter of the number
# decides the document type (see the class docstring), so a cue only has to say
# "this is an ID document number". "Seriennummer"/"serial number" are left out on
# purpose: device serial numbers use the same kind of alphabet.
DOCUMENT_CUE_RE = re.compile(
    r"(?<![^\W\d_])(?:"
    r"personalausweis(?:nummer|[- ]?nr)?|(?:bundes)?personalausweis|perso"
    r"|ausweis(?:nummer|[- ]?nr|dokument|daten)?|npa"
    r"|reisepass(?:nummer|[- ]?nr)?|kinderreisepass|pass(?:nummer|[- ]?nr)?"
    r"|dokumenten(?:nummer|[- ]?nr)"
    r"|passport(?:\s+(?:number|no))?|(?:national\s+)?id(?:entity)?[- ]card(?:\s+(?:number|no))?"
    r"|national\s+id|document\s+(?:number|no)|mrz"
    r")(?![^\W\d_])"
    r"|IDD<<|P<D<<",
    re.IGNORECASE,
)
PREFIX_CHARS = 60  # also reaches "P<D<<..." on the MRZ line above a passport number
SUFFIX_CHARS = 40  # "… ist meine Personalausweisnummer"
DOCUMENT_CONTEXT = (  # Presidio's substring enhancer: only unambiguous words
    "personalausweis",
    "ausweisnummer",
    "reisepass",
    "passnummer",
    "dokumentennummer",
    "passport",
)


def calc_check_digit(value: str) -> str:
    """ICAO Doc 9303 (Part 3, 4.9) check digit: weights 7,3,1 repeating; digits
    count at face value, A=10 … Z=35, the filler ``<`` as 0; sum modulo 10.

    python-stdnum has no ICAO 9303 module, hence the own implementation. For a
    German ID card or passport it protects the 9-character document number in the
    machine-readable zone (MRZ), where it follows as a 10th character.
    """
    total = 0
    for i, char in enumerate(value.upper()):
        if char.isdigit():
            number = int(char)
        elif "A" <= char <= "Z":
            number = ord(char) - ord("A") + 10
        elif char == "<":
            number = 0
        else:
            raise ValueError(f"not an MRZ character: {char!r}")
        total += number * _WEIGHTS[i % 3]
    return str(total % 10)


def is_valid_document_number(text: str, first_letters: str) -> bool:
    """A 9-character serial number from the official alphabet starting with one of
    ``first_letters``, or (as in the MRZ) that plus its ICAO check digit."""
    text = text.upper()
    if len(text) not in (9, 10) or text[0] not in first_letters:
        return False
    if any(char not in ALPHABET for char in text[:9]):
        return False
    return len(text) == 9 or calc_check_digit(text[:9]) == text[9]


def standalone_document_number(text: str, start: int, end: int) -> bool:
    """A printed number (9 characters) alone in its message, line or table cell, whose
    random part (the last five characters) holds a letter. That part is drawn from 27
    characters, so only 0.7 % of real numbers are all digits there — while "letter + 8
    digits" is the shape of countless article and order numbers."""
    value = text[start:end]
    return (
        len(value) == 9 and any(c.isalpha() for c in value[4:]) and is_standalone(text, start, end)
    )


def document_patterns(kind: str, first_letters: str, score: float) -> tuple[Pattern, ...]:
    """The printed 9-character number and its MRZ form (number + check digit)."""
    first = f"(?-i:[{first_letters}])"
    body = f"(?-i:{_ALNUM}{{8}})"
    return (
        Pattern(f"{kind} (9 characters)", rf"(?<!\w){first}{body}(?!\w)", score),
        Pattern(
            f"{kind} (MRZ: number + ICAO check digit)",
            # In the MRZ the check digit is followed by "<" (ID card) or by the
            # nationality "D<<" (passport line 2).
            rf"(?<!\w){first}{body}\d(?=D<|<|(?!\w))",
            score,
        ),
    )


_ID_CARD_FIRST_LETTERS = "LMNPRTVWXY"
_BASE_SCORE = 0.4
_PATTERNS = document_patterns("Personalausweisnummer", _ID_CARD_FIRST_LETTERS, _BASE_SCORE)


class DeIdCardRecognizer(CueGatedNumber, _UpstreamDeIdCardRecognizer):
    """Recognize the document number of a German Personalausweis (since Nov. 2010).

    Format: 9 characters — a 4-character authority code (Behördenkennzahl) and a
    5-character random number — from the alphabet ``0-9 C F G H J K L M N P R T V
    W X Y Z`` (no vowels, no B D Q S; PAuswG § 2 Abs. 8, PassV Anlage 11), the first
    character a letter. The 9th character is part of the number, *not* a check
    digit: the ICAO 9303 7-3-1 check digit exists only in the machine-readable zone,
    as a 10th character. The BMI specimens verify this way: front ``T22000129`` /
    MRZ ``IDD<<T220001293``, front ``L01X00T47`` / MRZ ``IDD<<L01X00T471``.
    Fictitious example: ``Ausweisnummer: LZ6311T47``.

    ID card vs passport (same alphabet, same shape): the first letter separates
    them. Passports use ``C F G H J K`` (BMI, 1 Nov 2007; ``Z`` for travel
    documents for foreigners), ID cards ``L M N P R T V W X Y``. So this recognizer
    only matches numbers starting with L-Y and ``DePassportRecognizer`` only C-K/Z;
    the cue words are shared (people say "Ausweis" or "Pass" for either), and the
    entity type follows the number, not the word.

    Why context-gated: "letter + 8 digits" (``K12345678``-style) is a common order,
    article and ticket number shape and the printed number has no check digit.
    So the pattern scores 0.4; a whole-word cue (Personalausweis, Ausweisnummer,
    Reisepass, Dokumentennummer, ID card, passport, MRZ, ``IDD<<``) nearby or as the
    column header adds 0.35 → 0.75. The MRZ form (10 characters) must carry a
    correct check digit. A printed number alone in its message, line or table cell
    scores 0.5 when its random part (the last five characters, drawn from 27) holds a
    letter, as 99.3 % of real numbers do: "letter + 8 digits" alone stays an SKU.

    Deviations from upstream (Presidio 2.2.366): upstream treats the 9th character
    as an ICAO check digit over the first 8, which is wrong — the specimen
    ``L01X00T47`` fails it (upstream's own docstring example ``L01X00T44`` is
    invented) and about nine in ten real numbers were dropped, while the other
    tenth scored 1.0 without any context. Its "legacy ``T`` + 8 digits" pattern
    (score 0.5) describes the 2010 specimen, not pre-2010 cards (those were
    numeric and have all expired). Its pattern also admits letters from every
    document type (C-K are passports) and, being case-insensitive, lower case.
    """

    ENTITY = "DE_ID_CARD"
    NUMBER_PATTERNS = _PATTERNS
    CUE_WORDS = DOCUMENT_CONTEXT
    CUE_RE = DOCUMENT_CUE_RE
    CUE_BEFORE = PREFIX_CHARS
    CUE_AFTER = SUFFIX_CHARS
    STANDALONE_SCORE = 0.5

    def checksum_ok(self, text: str) -> bool:
        return bool(is_valid_document_number(text, _ID_CARD_FIRST_LETTERS))

    def stands_alone(self, text: str, start: int, end: int) -> bool:
        return standalone_document_number(text, start, end)
