"""IbanRecognizer: every registry country, python-stdnum's validation, real-world formats."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from presidio_analyzer import AnalyzerEngine, EntityRecognizer
from presidio_analyzer.predefined_recognizers import IbanRecognizer as UpstreamIbanRecognizer

from checker.evaluation.peer_cases import Unit
from checker.recognizers import IbanRecognizer
from checker.recognizers.iban_recognizer import iban_lengths
from tests.checker.peer_helpers import check_unit, peer_units

DE = "DE89 3704 0044 0532 0130 00"  # the registry's example


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(IbanRecognizer())


@pytest.fixture(scope="module")
def analyzer(make_analyzer: Callable[[EntityRecognizer], AnalyzerEngine]) -> AnalyzerEngine:
    return make_analyzer(IbanRecognizer())


def test_lengths_come_from_the_registry() -> None:
    lengths = iban_lengths()
    assert lengths["DE"] == 22 and lengths["NO"] == 15 and lengths["MT"] == 31
    assert len(lengths) >= 80


@pytest.mark.parametrize(
    "iban",
    [
        DE,
        DE.replace(" ", ""),
        "NO 02 1503 7577 003",  # a space after the country code
        "NO 402333 06 01019",  # irregular grouping
        "NO07.8380.08.06006",  # dots
        "NO 44 1850.05.14562",
        "ES15-0049-1806-9121-1186-9374",  # dashes
        "ES72 2013-0692-81-0201150993",
        "MC11 1273 9000 7000 1111 1000 h79",  # lower case
        "de89 3704 0044 0532 0130 00",
        "TL 38 008 00123456789101 57",
        "MU17 BOMM0101101030300200000MUR",
        "BE 07-0682455012-66",
    ],
)
def test_real_world_formats(detect: Callable[..., list], iban: str) -> None:
    assert detect(f"Bitte auf {iban} überweisen.") == [("IBAN_CODE", iban, pytest.approx(1.0))]


@pytest.mark.parametrize(
    ("text", "iban"),
    [
        (f"{DE} und nicht mehr", DE),  # the country's length ends it
        (f"IBAN: {DE}.", DE),
        (f"({DE})", DE),
        (f"Konto {DE} X in a sentence", DE),
    ],
)
def test_the_following_words_are_not_taken_in(
    detect: Callable[..., list], text: str, iban: str
) -> None:
    assert detect(text) == [("IBAN_CODE", iban, pytest.approx(1.0))]


def test_two_in_a_list(detect: Callable[..., list]) -> None:
    text = "list of ibans: AL47212110090000000235698741, AL47212110090000000235698741"
    assert [span for _, span, _ in detect(text)] == ["AL47212110090000000235698741"] * 2


@pytest.mark.parametrize(
    "text",
    [
        DE[:-1] + "1",  # check digits
        DE + "1",  # runs on past the country's length
        DE.replace(" ", "") + "X",
        "AL47/2121/1009/0000/0002/3569/8741",  # slashes are no separators
        "DE89  3704 0044 0532 0130 00",  # two spaces
        "G T82 TRAJ 0102 0000 0012 1002 9690",  # a split country code
        "AT93 1904 3002 3457 3201 99",  # wrong length, valid checksum
        "ES2121000418450200051331",  # fails the Spanish national check
        "QQ93 1234 5678",
        "Rechnung 2024 0001 0002",
    ],
)
def test_not_an_iban(detect: Callable[..., list], text: str) -> None:
    assert detect(text, threshold=0.0) == []


@pytest.mark.parametrize("unit", peer_units("IBAN_CODE"))
def test_peer_cases(analyzer: AnalyzerEngine, unit: Unit) -> None:
    check_unit(analyzer, unit)


def test_explanation_says_checksum_valid(make_analyzer: Callable[..., AnalyzerEngine]) -> None:
    analyzer = make_analyzer(IbanRecognizer())
    (result,) = analyzer.analyze(f"IBAN {DE}", language="de", return_decision_process=True)
    explanation = result.analysis_explanation
    assert explanation.recognizer == "IbanRecognizer"
    assert explanation.validation_result is True and explanation.pattern_name


def test_subclasses_upstream_recognizer() -> None:
    recognizer = IbanRecognizer()
    assert isinstance(recognizer, UpstreamIbanRecognizer)
    assert recognizer.supported_entities == ["IBAN_CODE"]
