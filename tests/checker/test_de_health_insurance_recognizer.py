"""DeHealthInsuranceRecognizer: GKV check digit, upper-case letter, cue words."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from presidio_analyzer.predefined_recognizers import (
    DeHealthInsuranceRecognizer as UpstreamDeHealthInsuranceRecognizer,
)

from checker.recognizers import DeHealthInsuranceRecognizer
from checker.recognizers.de_health_insurance_recognizer import calc_check_digit, is_valid


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
        VALID.lower(),  # lower-case letter
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
