"""DeVatIdRecognizer: stdnum checksum, DE prefix, separators, German/English cue words."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.predefined_recognizers import (
    DeVatIdRecognizer as UpstreamDeVatIdRecognizer,
)
from stdnum.de import vat
from stdnum.iso7064 import mod_11_10

from checker.evaluation.peer_cases import Unit
from checker.recognizers import DeVatIdRecognizer
from tests.checker.peer_helpers import check_unit, peer_units


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
        f"DE - {DIGITS}",
        f"DE {DIGITS[:3]} {DIGITS[3:5]} {DIGITS[5:7]} {DIGITS[7:]}",  # "DE 813 11 38 75"
        f"DE {DIGITS[:3]} {DIGITS[3:]}",  # "DE 813 184868"
        f"DE {DIGITS[:3]}-{DIGITS[3:6]}.{DIGITS[6:]}",  # mixed separators
    ],
)
def test_separated_with_cue(detect: Callable[..., list], number: str) -> None:
    assert detect(f"USt-IdNr. {number}") == [("DE_VAT_ID", number, pytest.approx(0.85))]


def test_bare_compact_number_is_self_describing(detect: Callable[..., list]) -> None:
    # Designed so: "DE" + 9 digits with a valid checksum reaches 0.5 on its own.
    assert detect(f"Lieferant {VALID_2}, Zahlung erhalten") == [
        ("DE_VAT_ID", VALID_2, pytest.approx(0.5))
    ]


def test_bare_separated_number_is_self_describing(detect: Callable[..., list]) -> None:
    # "DE" + nine digits with a valid check digit, however grouped (python-stdnum's
    # "found online" forms): the prefix makes the shape self-describing.
    text = f"Lieferant {SPACED}, Zahlung erhalten"
    assert detect(text) == [("DE_VAT_ID", SPACED, pytest.approx(0.5))]


@pytest.mark.parametrize("number", [VALID.lower(), "de" + VALID[2:]])
def test_lower_case_compact_number_counts(detect: Callable[..., list], number: str) -> None:
    assert detect(f"Lieferant {number}") == [("DE_VAT_ID", number, pytest.approx(0.5))]


def test_lower_case_separated_number_needs_a_cue_or_to_stand_alone(
    detect: Callable[..., list],
) -> None:
    # "de" is a word in Spanish, French, Dutch, Portuguese: "más de 298 173 644".
    lower = "de" + SPACED[2:]
    assert detect(f"más {lower} personas") == []
    assert detect(f"más {lower} personas", threshold=0.0) == [
        ("DE_VAT_ID", lower, pytest.approx(0.4))
    ]
    assert detect(f"USt-IdNr. {lower}") == [("DE_VAT_ID", lower, pytest.approx(0.75))]
    assert detect(lower) == [("DE_VAT_ID", lower, pytest.approx(0.5))]
    assert detect(f"Firma;USt\nMüller GmbH;{lower}\n") == [("DE_VAT_ID", lower, pytest.approx(0.5))]


@pytest.mark.parametrize(
    "text",
    [
        f"USt-IdNr.: {WRONG_CHECK}",  # wrong check digit
        f"USt-IdNr.: {LEADING_ZERO}",  # checksum fits, but 0 after DE
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
        f"Finanzamt {SPACED}",  # upstream counts "Finanzamt" as a cue
    ],
)
def test_no_substring_cue(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == [("DE_VAT_ID", SPACED, pytest.approx(0.5))]  # shape only


@pytest.mark.parametrize(
    "text",
    [
        f"Rechnung {SPACED}",  # an invoice number written like a VAT ID
        f"Artikelnummer {SPACED}",
        f"Art.-Nr. {VALID}",
        f"Bestellnr.: {SPACED}",
    ],
)
def test_after_a_label_of_another_number_it_needs_a_cue(
    detect: Callable[..., list], text: str
) -> None:
    assert detect(text) == []
    assert detect(text, threshold=0.0)[0][2] == pytest.approx(0.4)


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


@pytest.fixture(scope="module")
def peer_analyzer(make_analyzer: Callable[..., AnalyzerEngine]) -> AnalyzerEngine:
    return make_analyzer(DeVatIdRecognizer())


@pytest.mark.parametrize("unit", peer_units("DE_VAT_ID"))
def test_peer_cases(peer_analyzer: AnalyzerEngine, unit: Unit) -> None:
    """Presidio's and python-stdnum's cases for this type (tests/peers/), as the peer
    suite scores them: the peer's expectation, or Leitplanke's choice where debatable."""
    check_unit(peer_analyzer, unit)
