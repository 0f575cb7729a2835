"""DeHealthInsuranceRecognizer: GKV check digit, upper-case letter, cue words."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.predefined_recognizers import (
    DeHealthInsuranceRecognizer as UpstreamDeHealthInsuranceRecognizer,
)

from checker.evaluation.peer_cases import Unit
from checker.recognizers import DeHealthInsuranceRecognizer
from checker.recognizers.de_health_insurance_recognizer import calc_check_digit, is_valid
from tests.checker.peer_helpers import check_unit, peer_units


def _kvnr(first_nine: str) -> str:
    """A fictitious but check-digit-valid KVNR: letter + 8 digits + check digit."""
    number = first_nine + calc_check_digit(first_nine)
    assert is_valid(number), number
    return number


VALID = _kvnr("M27491038")
EXAMPLE = _kvnr("A12345678")  # A123456780, the brief's example
WRONG_CHECK = VALID[:-1] + str((int(VALID[-1]) + 1) % 10)


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(DeHealthInsuranceRecognizer())


@pytest.mark.parametrize("number", ["A123456780", "A000500015"])
def test_documented_examples_verify(number: str) -> None:
    assert is_valid(number)


@pytest.mark.parametrize(
    "template",
    [
        "Krankenversichertennummer: {n}",
        "Versichertennummer {n}",
        "Versicherten-Nr. {n}",
        "KVNR {n}",
        "KV-Nummer: {n}",
        "Meine Krankenkasse ist die AOK, Nummer {n}",
        "TK-Versicherte, {n}",
        "Auf der Gesundheitskarte steht {n}",
        "eGK: {n}",
        "German health insurance number: {n}",
        "{n} ist meine Krankenversichertennummer",
    ],
)
@pytest.mark.parametrize("number", [VALID, EXAMPLE])
def test_detected_with_cue(detect: Callable[..., list], template: str, number: str) -> None:
    text = template.format(n=number)
    assert detect(text) == [("DE_HEALTH_INSURANCE", number, pytest.approx(0.75))]


@pytest.mark.parametrize("number", [VALID, EXAMPLE])
def test_bare_number_stays_below_threshold(detect: Callable[..., list], number: str) -> None:
    text = f"Bitte {number} prüfen."
    assert detect(text) == []
    assert detect(text, threshold=0.0) == [("DE_HEALTH_INSURANCE", number, pytest.approx(0.4))]


@pytest.mark.parametrize(
    "number",
    [
        WRONG_CHECK,
        WRONG_CHECK.lower(),  # lower case, wrong check digit
        VALID[:-1],  # nine characters
        VALID + "1",  # eleven characters
        "1" + VALID[1:],  # no letter
        "Ä" + VALID[1:],  # umlaut
        f"{VALID[0]} {VALID[1:]}",  # split
        f"X{VALID}",  # glued to a letter
        f"{VALID}.5",  # part of a longer number
    ],
)
def test_not_detected_even_with_cue(detect: Callable[..., list], number: str) -> None:
    assert detect(f"Versichertennummer: {number}", threshold=0.0) == []


def test_lower_case_letter_counts_with_cue(detect: Callable[..., list]) -> None:
    # The card prints capitals; typed lower case is checked the same way.
    number = VALID.lower()
    assert detect(f"KVNR: {number}") == [("DE_HEALTH_INSURANCE", number, pytest.approx(0.75))]


@pytest.mark.parametrize(
    "text",
    [
        VALID,  # a chat message with just the number
        f"{VALID}\n",
        f"- {VALID}",
        f"Name;Nummer\nWeber;{VALID}\n",
        f"| Name | Nummer |\n|---|---|\n| Weber | {VALID} |",
    ],
)
def test_alone_in_message_line_or_cell(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == [("DE_HEALTH_INSURANCE", VALID, pytest.approx(0.5))]


@pytest.mark.parametrize(
    "text",
    [
        f"Artikelnummer;Menge\n{VALID};3\n",  # the header names another kind of number
        f"SKU;Preis\n{VALID};9,99\n",
    ],
)
def test_alone_under_another_numbers_header(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_column_header_is_a_cue(detect: Callable[..., list]) -> None:
    text = f"Name;KVNR\nWeber;{VALID}\nKoch;{EXAMPLE}\n"
    assert detect(text) == [
        ("DE_HEALTH_INSURANCE", VALID, pytest.approx(0.75)),
        ("DE_HEALTH_INSURANCE", EXAMPLE, pytest.approx(0.75)),
    ]


@pytest.mark.parametrize(
    "text",
    [
        f"Artikelnummer {VALID}",
        f"Bestellung {EXAMPLE} vom 3. Mai",
        f"Rechnung Nr. {VALID}",
        f"Redaktion {VALID}",  # upstream's substring cue "dak"
        f"Ticket {EXAMPLE}",
        "Betrag: 1.234.567,80 EUR",
        "Die Krankenkasse hat geantwortet.",
    ],
)
def test_hard_negatives_without_cue(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_validate_result_keeps_base_score_for_valid_numbers() -> None:
    recognizer = DeHealthInsuranceRecognizer()
    assert recognizer.validate_result(VALID) is None
    assert recognizer.validate_result(WRONG_CHECK) is False


def test_subclasses_upstream_recognizer() -> None:
    recognizer = DeHealthInsuranceRecognizer()
    assert isinstance(recognizer, UpstreamDeHealthInsuranceRecognizer)
    assert recognizer.supported_entities == ["DE_HEALTH_INSURANCE"]


@pytest.fixture(scope="module")
def peer_analyzer(make_analyzer: Callable[..., AnalyzerEngine]) -> AnalyzerEngine:
    return make_analyzer(DeHealthInsuranceRecognizer())


@pytest.mark.parametrize("unit", peer_units("DE_HEALTH_INSURANCE"))
def test_peer_cases(peer_analyzer: AnalyzerEngine, unit: Unit) -> None:
    """Presidio's and python-stdnum's cases for this type (tests/peers/), as the peer
    suite scores them: the peer's expectation, or Leitplanke's choice where debatable."""
    check_unit(peer_analyzer, unit)
