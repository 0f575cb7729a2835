"""DeLanrRecognizer: the KBV check digit, and a cue word even when the number is alone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from presidio_analyzer import AnalyzerEngine, EntityRecognizer
from presidio_analyzer.predefined_recognizers import DeLanrRecognizer as UpstreamDeLanrRecognizer

from checker.evaluation.peer_cases import Unit
from checker.recognizers import DeLanrRecognizer
from checker.recognizers.de_lanr_recognizer import calc_check_digit, is_valid
from tests.checker.peer_helpers import check_unit, peer_units


def _lanr(doctor: str, group: str = "01") -> str:
    """A fictitious but check-digit-valid LANR: doctor number + check digit + group."""
    number = doctor + calc_check_digit(doctor) + group
    assert is_valid(number), number
    return number


VALID = _lanr("837261", "42")
WRONG_CHECK = VALID[:6] + str((int(VALID[6]) + 1) % 10) + VALID[7:]


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(DeLanrRecognizer())


@pytest.fixture(scope="module")
def analyzer(make_analyzer: Callable[[EntityRecognizer], AnalyzerEngine]) -> AnalyzerEngine:
    return make_analyzer(DeLanrRecognizer())


@pytest.mark.parametrize(
    ("doctor", "check"),
    [("123456", "6"), ("234567", "7"), ("100000", "6"), ("987654", "4"), ("999999", "9")],
)
def test_check_digit_by_hand(doctor: str, check: str) -> None:
    # 4,9,4,9,4,9-weighted sum; 123456: 4+18+12+36+20+54 = 144 -> 10 - 4 = 6.
    assert calc_check_digit(doctor) == check


@pytest.mark.parametrize(
    "template",
    [
        "LANR: {n}",
        "Arztnummer {n}",
        "Arzt-Nr. {n}",
        "lebenslange Arztnummer {n}",
        "Doctor number: {n}",
        "{n} (LANR) auf dem Rezept",
        "BSNR;LANR;Name\n123456700;{n};Dr. Weber\n",
    ],
)
def test_detected_with_cue(detect: Callable[..., list], template: str) -> None:
    assert detect(template.format(n=VALID)) == [("DE_LANR", VALID, pytest.approx(0.75))]


@pytest.mark.parametrize(
    "text",
    [
        VALID,  # alone: a 9-digit number with a 1-in-10 check digit is no evidence
        f"Bestellung {VALID}",
        f"Rezept {VALID}",  # upstream's cue words are everyday words of a practice
        f"Hausarzt {VALID}",
        f"Pos;Wert\n1;{VALID}\n",
    ],
)
def test_no_cue_stays_below_threshold(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []
    assert detect(text, threshold=0.0) == [("DE_LANR", VALID, pytest.approx(0.4))]


@pytest.mark.parametrize(
    "text",
    [
        f"LANR {WRONG_CHECK}",
        f"LANR {VALID}0",  # ten digits
        f"LANR {VALID[:-1]}",  # eight digits
        f"LANR X{VALID}",
        f"LANR {VALID[:3]}.{VALID[3:]}",
    ],
)
def test_not_a_lanr(detect: Callable[..., list], text: str) -> None:
    assert detect(text, threshold=0.0) == []


@pytest.mark.parametrize("unit", peer_units("DE_LANR"))
def test_peer_cases(analyzer: AnalyzerEngine, unit: Unit) -> None:
    check_unit(analyzer, unit)


def test_subclasses_upstream_recognizer() -> None:
    recognizer = DeLanrRecognizer()
    assert isinstance(recognizer, UpstreamDeLanrRecognizer)
    assert recognizer.supported_entities == ["DE_LANR"]
