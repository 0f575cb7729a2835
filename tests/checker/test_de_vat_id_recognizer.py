"""DeVatIdRecognizer: stdnum checksum, DE prefix, separators, German/English cue words."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from presidio_analyzer.predefined_recognizers import (
    DeVatIdRecognizer as UpstreamDeVatIdRecognizer,
)
from stdnum.de import vat
from stdnum.iso7064 import mod_11_10

from checker.recognizers import DeVatIdRecognizer


def _vat(first_eight: str) -> str:
    """A fictitious but checksum-valid USt-IdNr: DE + eight digits + check digit."""
    number = "DE" + first_eight + mod_11_10.calc_check_digit(first_eight)
    assert vat.is_valid(number), number
    return number


VALID = _vat("29817364")  # DE298173644
VALID_2 = _vat("12345678")  # DE123456788
DIGITS = VALID[2:]
SPACED = f"DE {DIGITS[:3]} {DIGITS[3:6]} {DIGITS[6:]}"
WRONG_CHECK = VALID[:-1] + str((int(VALID[-1]) + 1) % 10)
LEADING_ZERO = "DE02817364" + mod_11_10.calc_check_digit("02817364")  # checksum fits


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(DeVatIdRecognizer())


@pytest.mark.parametrize(
    "template",
    [
        "USt-IdNr.: {n}",
        "Unsere USt-ID lautet {n}.",
        "Umsatzsteuer-Identifikationsnummer {n}",
        "Umsatzsteuer-ID: {n}",
        "UStIdNr {n}",
        "VAT ID: {n}",
        "VAT no. {n}",
        "VAT registration number {n}",
        "{n} (USt-IdNr.)",
    ],
)
def test_compact_with_cue(detect: Callable[..., list], template: str) -> None:
    assert detect(template.format(n=VALID)) == [("DE_VAT_ID", VALID, pytest.approx(0.85))]


@pytest.mark.parametrize(
    "number",
    [
        SPACED,
        f"DE-{DIGITS[:3]}-{DIGITS[3:6]}-{DIGITS[6:]}",
        f"DE.{DIGITS[:3]}.{DIGITS[3:6]}.{DIGITS[6:]}",
        f"DE {DIGITS}",
    ],
)
def test_separated_with_cue(detect: Callable[..., list], number: str) -> None:
    assert detect(f"USt-IdNr. {number}") == [("DE_VAT_ID", number, pytest.approx(0.75))]


def test_bare_compact_number_is_self_describing(detect: Callable[..., list]) -> None:
    # Designed so: "DE" + 9 digits with a valid checksum reaches 0.5 on its own.
    assert detect(f"Lieferant {VALID_2}, Zahlung erhalten") == [
        ("DE_VAT_ID", VALID_2, pytest.approx(0.5))
    ]


def test_bare_separated_number_stays_below_threshold(detect: Callable[..., list]) -> None:
    text = f"Lieferant {SPACED}, Zahlung erhalten"
    assert detect(text) == []
    assert detect(text, threshold=0.0) == [("DE_VAT_ID", SPACED, pytest.approx(0.4))]


@pytest.mark.parametrize(
    "text",
    [
        f"USt-IdNr.: {WRONG_CHECK}",  # wrong check digit
        f"USt-IdNr.: {LEADING_ZERO}",  # checksum fits, but 0 after DE
        f"USt-IdNr.: {VALID.lower()}",  # lower-case prefix
        f"USt-IdNr.: {VALID}0",  # ten digits
        f"USt-IdNr.: X{VALID}",  # glued to a letter
        "USt-IdNr.: DE12345678",  # eight digits
        "IBAN DE89370400440532013000",  # an IBAN is no VAT ID
        "IBAN DE89 3704 0044 0532 0130 00",
        f"Bestellnummer {DIGITS}",  # no DE prefix
        "Rechnung Nr. DE-2024-0001",  # invoice number
        "Betrag: 1.234.567,89 EUR",
        "Die Rechnung ist fällig.",
    ],
)
def test_not_detected(detect: Callable[..., list], text: str) -> None:
    assert detect(text, threshold=0.0) == []


@pytest.mark.parametrize(
    "text",
    [
        f"Privatadresse {SPACED}",  # upstream's substring cue "vat" hits "privat"
        f"Rechnung {SPACED}",  # upstream counts "Rechnung" as a cue
        f"Finanzamt {SPACED}",
        f"Artikelnummer {SPACED}",
    ],
)
def test_no_cue_stays_below_threshold(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_validate_result_keeps_base_score_for_valid_numbers() -> None:
    recognizer = DeVatIdRecognizer()
    assert recognizer.validate_result(VALID) is None
    assert recognizer.validate_result(SPACED) is None
    assert recognizer.validate_result(WRONG_CHECK) is False
    assert recognizer.validate_result(LEADING_ZERO) is False


def test_subclasses_upstream_recognizer() -> None:
    recognizer = DeVatIdRecognizer()
    assert isinstance(recognizer, UpstreamDeVatIdRecognizer)
    assert recognizer.supported_entities == ["DE_VAT_ID"]
    assert recognizer.supported_language == "de"
