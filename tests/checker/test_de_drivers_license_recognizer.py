"""DeDriversLicenseRecognizer: card licence numbers with their check character, and any
licence-like token right after a cue word."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from presidio_analyzer import AnalyzerEngine, EntityRecognizer
from presidio_analyzer.predefined_recognizers import (
    DeFuehrerscheinRecognizer as UpstreamDeFuehrerscheinRecognizer,
)

from checker.evaluation.peer_cases import Unit
from checker.recognizers import DeDriversLicenseRecognizer
from checker.recognizers.de_drivers_license_recognizer import calc_check_character, is_valid
from tests.checker.peer_helpers import check_unit, peer_units

SPECIMEN = "B072RRE2I55"  # the specimen licence (Musterführerschein)


def _licence(first_nine: str, issue: str = "1") -> str:
    number = first_nine + calc_check_character(first_nine) + issue
    assert is_valid(number), number
    return number


VALID = _licence("K12345678")  # K123456783 + issue 1
WITH_X = _licence("F2706ABCD")  # check character X
WRONG_CHECK = VALID[:9] + str((int(VALID[9]) + 1) % 10) + VALID[10]


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(DeDriversLicenseRecognizer())


@pytest.fixture(scope="module")
def analyzer(make_analyzer: Callable[[EntityRecognizer], AnalyzerEngine]) -> AnalyzerEngine:
    return make_analyzer(DeDriversLicenseRecognizer())


def test_the_specimen_verifies() -> None:
    # B072RRE2I: 11*9 + 0*8 + 7*7 + 2*6 + 27*5 + 27*4 + 14*3 + 2*2 + 18*1 = 467 = 42*11 + 5
    assert calc_check_character("B072RRE2I") == "5"
    assert is_valid(SPECIMEN)
    assert WITH_X[9] == "X"


@pytest.mark.parametrize(
    "template",
    [
        "Führerscheinnummer: {n}",
        "Führerschein-Nr. {n}",
        "Fahrerlaubnis {n}",
        "Fahrerlaubnisnummer {n}",
        "Driving licence number: {n}",
        "driver's license {n}",
        "{n} ist meine Führerscheinnummer",
        "Name;Führerschein\nWeber;{n}\n",
    ],
)
@pytest.mark.parametrize("number", [SPECIMEN, VALID, WITH_X])
def test_card_number_with_cue(detect: Callable[..., list], template: str, number: str) -> None:
    assert detect(template.format(n=number)) == [
        ("DE_DRIVERS_LICENSE", number, pytest.approx(0.75))
    ]


@pytest.mark.parametrize("number", [SPECIMEN, VALID])
def test_card_number_alone_counts(detect: Callable[..., list], number: str) -> None:
    assert detect(number) == [("DE_DRIVERS_LICENSE", number, pytest.approx(0.5))]
    assert detect(f"- {number}\n") == [("DE_DRIVERS_LICENSE", number, pytest.approx(0.5))]


def test_card_number_in_a_sentence_needs_a_cue(detect: Callable[..., list]) -> None:
    text = f"Bitte {SPECIMEN} prüfen."
    assert detect(text) == []
    assert detect(text, threshold=0.0) == [("DE_DRIVERS_LICENSE", SPECIMEN, pytest.approx(0.4))]


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("Führerscheinnummer: BO12345678A", "BO12345678A"),  # Presidio's format
        ("Fahrerlaubnis MU12345678B wurde ausgestellt.", "MU12345678B"),
        ("Führerschein Nr. 4711081512", "4711081512"),  # a paper licence before 1999
        ("Driver's license number: D1234567", "D1234567"),  # a foreign licence
    ],
)
def test_any_licence_like_token_right_after_a_cue(
    detect: Callable[..., list], text: str, token: str
) -> None:
    assert detect(text) == [("DE_DRIVERS_LICENSE", token, pytest.approx(0.75))]


@pytest.mark.parametrize(
    "text",
    [
        "Führerschein Klasse B seit 2010",
        "Führerschein vorhanden, Personalnummer 12345678",  # not right after the cue
        "Fahrerlaubnisbehörde Dachau",
        "Führerschein: ja",
        f"Führerscheinnummer: {WRONG_CHECK.lower()}",
        "BO12345678A",  # Presidio's format alone: no German card licence looks so
        WRONG_CHECK,
        f"Bitte {SPECIMEN.lower()} prüfen.",
    ],
)
def test_not_detected(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


@pytest.mark.parametrize("number", [WRONG_CHECK, "Q072RRE2I55", "BX72RRE2I55", SPECIMEN + "1"])
def test_invalid_card_numbers(number: str) -> None:
    assert not is_valid(number)  # check character, Land letter A-P, district digits, length


@pytest.mark.parametrize("unit", peer_units("DE_DRIVERS_LICENSE"))
def test_peer_cases(analyzer: AnalyzerEngine, unit: Unit) -> None:
    check_unit(analyzer, unit)


def test_subclasses_upstream_recognizer() -> None:
    recognizer = DeDriversLicenseRecognizer()
    assert isinstance(recognizer, UpstreamDeFuehrerscheinRecognizer)
    assert recognizer.supported_entities == ["DE_DRIVERS_LICENSE"]
