"""DeTaxNumberRecognizer: the Länder's Steuernummer (python-stdnum formats), by context."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from presidio_analyzer import AnalyzerEngine, EntityRecognizer
from presidio_analyzer.predefined_recognizers import (
    DeTaxNumberRecognizer as UpstreamDeTaxNumberRecognizer,
)
from stdnum.de import stnr

from checker.evaluation.peer_cases import Unit
from checker.recognizers import DeTaxNumberRecognizer
from tests.checker.peer_helpers import check_unit, peer_units

# python-stdnum's own examples (stdnum/de/stnr.py, tests/test_de_stnr.doctest).
BAYERN = "181/815/08155"
NRW = "133/8150/8159"
BERLIN = "21/815/08150"
SPACED = "156 / 141 / 14808"
FIVE_FIVE = "93815/08152"
GROUPS = "013 815 08153"
NATIONWIDE = "2893081508152"  # Baden-Württemberg, 13 digits
REGIONAL = "1929008636"


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(DeTaxNumberRecognizer())


@pytest.fixture(scope="module")
def analyzer(make_analyzer: Callable[[EntityRecognizer], AnalyzerEngine]) -> AnalyzerEngine:
    return make_analyzer(DeTaxNumberRecognizer())


@pytest.mark.parametrize(
    "number", [BAYERN, NRW, BERLIN, SPACED, FIVE_FIVE, GROUPS, NATIONWIDE, REGIONAL]
)
def test_examples_are_valid(number: str) -> None:
    assert stnr.is_valid(number)


@pytest.mark.parametrize(
    "template",
    [
        "Steuernummer: {n}",
        "Steuer-Nr. {n}",
        "St.-Nr. {n}",
        "StNr {n}",
        "Die Steuernummer der Kanzlei ist {n}.",
        "Tax number {n}",
        "{n} ist die Steuernummer",
    ],
)
@pytest.mark.parametrize("number", [BAYERN, NRW, SPACED, FIVE_FIVE, GROUPS, NATIONWIDE, REGIONAL])
def test_detected_with_cue(detect: Callable[..., list], template: str, number: str) -> None:
    assert detect(template.format(n=number)) == [("DE_TAX_NUMBER", number, pytest.approx(0.75))]


def test_the_number_is_cut_from_its_neighbours(detect: Callable[..., list]) -> None:
    # The groups python-stdnum accepts, not the year after them.
    assert detect(f"Steuernummer {BAYERN} 2024") == [("DE_TAX_NUMBER", BAYERN, pytest.approx(0.75))]


@pytest.mark.parametrize("number", [BAYERN, BERLIN, SPACED, FIVE_FIVE])
def test_slash_form_alone_counts(detect: Callable[..., list], number: str) -> None:
    assert detect(number) == [("DE_TAX_NUMBER", number, pytest.approx(0.5))]
    assert detect(f"Mandant;Angabe\nMüller;{number}\n") == [
        ("DE_TAX_NUMBER", number, pytest.approx(0.5))
    ]


@pytest.mark.parametrize("number", [GROUPS, NATIONWIDE, REGIONAL])
def test_digits_alone_need_a_cue(detect: Callable[..., list], number: str) -> None:
    # Every 10-digit number fits some Land's format.
    assert detect(number) == []
    assert detect(number, threshold=0.0) == [("DE_TAX_NUMBER", number, pytest.approx(0.4))]


@pytest.mark.parametrize(
    "text",
    [
        f"Bitte {BAYERN} prüfen.",  # in a sentence without a cue
        f"Aktenzeichen {BAYERN}",
        f"Finanzamt München, Konto {REGIONAL}",  # "Finanzamt" is no cue
        f"Umsatzsteuer {REGIONAL}",
    ],
)
def test_no_cue_stays_below_threshold(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Steuernummer: 12/345/6789",  # nine digits
        "Steuernummer: 0281508150123",  # upstream's "Bundesland 02": no Land prefix
        "Steuernummer: 123456789",
        "Steuernummer: 12345678901234",
        "Steuernummer: 12.03.2024",
    ],
)
def test_not_a_steuernummer(detect: Callable[..., list], text: str) -> None:
    assert detect(text, threshold=0.0) == []


@pytest.mark.parametrize("unit", peer_units("DE_TAX_NUMBER"))
def test_peer_cases(analyzer: AnalyzerEngine, unit: Unit) -> None:
    check_unit(analyzer, unit)


def test_subclasses_upstream_recognizer() -> None:
    recognizer = DeTaxNumberRecognizer()
    assert isinstance(recognizer, UpstreamDeTaxNumberRecognizer)
    assert recognizer.supported_entities == ["DE_TAX_NUMBER"]
