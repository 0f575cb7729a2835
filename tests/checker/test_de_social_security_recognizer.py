"""DeSocialSecurityRecognizer: DRV check digit, date structure, cue words."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.predefined_recognizers import (
    DeSocialSecurityRecognizer as UpstreamDeSocialSecurityRecognizer,
)

from checker.evaluation.peer_cases import Unit
from checker.recognizers import DeSocialSecurityRecognizer
from checker.recognizers.de_social_security_recognizer import calc_check_digit, is_valid
from tests.checker.peer_helpers import check_unit, peer_units


def _vsnr(first_eleven: str) -> str:
    """A fictitious but check-digit-valid Versicherungsnummer (compact)."""
    number = first_eleven + calc_check_digit(first_eleven)
    assert is_valid(number), number
    return number


def _spaced(number: str) -> str:
    return f"{number[:2]} {number[2:8]} {number[8]} {number[9:]}"


VALID = _vsnr("12010190M00")  # 12 010190 M 004
VALID_FEMALE = _vsnr("53600785K51")  # day 60 = 10th + 50 (Ergänzungsmerkmal)
WRONG_CHECK = VALID[:-1] + str((int(VALID[-1]) + 1) % 10)
BATCH = _vsnr("20240315A00")  # a batch number that happens to fit shape and checksum


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(DeSocialSecurityRecognizer())


@pytest.mark.parametrize(
    ("number", "expected"),
    [("15070649C103", True), ("65170839J003", True), ("65 170839 J 003", True)],
)
def test_drv_examples_verify(number: str, expected: bool) -> None:
    # DRV's documented example and the example from the brief.
    assert is_valid(number) is expected


@pytest.mark.parametrize(
    "template",
    [
        "Rentenversicherungsnummer: {n}",
        "Sozialversicherungsnummer {n}",
        "SV-Nummer {n}",
        "SV-Nr.: {n}",
        "Versicherungsnummer der DRV: {n}",
        "RVNR {n}",
        "Rentenvers.-Nr.: {n}",
        "Sozialversicherungsausweis liegt bei, Nummer {n}",
        "My German social security number is {n}.",
        "{n} ist meine Rentenversicherungsnummer",
    ],
)
@pytest.mark.parametrize("number", [VALID, _spaced(VALID), VALID_FEMALE, _spaced(VALID_FEMALE)])
def test_detected_with_cue(detect: Callable[..., list], template: str, number: str) -> None:
    text = template.format(n=number)
    assert detect(text) == [("DE_SOCIAL_SECURITY", number, pytest.approx(0.75))]


@pytest.mark.parametrize("number", [VALID, _spaced(VALID), BATCH])
def test_bare_number_stays_below_threshold(detect: Callable[..., list], number: str) -> None:
    text = f"Charge {number} ist eingetroffen."
    assert detect(text) == []
    assert detect(text, threshold=0.0) == [("DE_SOCIAL_SECURITY", number, pytest.approx(0.4))]


@pytest.mark.parametrize(
    "number",
    [
        WRONG_CHECK,
        _spaced(WRONG_CHECK),
        VALID[:8] + "m" + VALID[9:],  # lower-case letter
        "12001390M00" + calc_check_digit("12001390M00"),  # month 13
        "12000190M00" + calc_check_digit("12000190M00"),  # day 00
        "12450190M00" + calc_check_digit("12450190M00"),  # day 45
        VALID + "1",  # too long
        "1" + VALID,
        VALID[:-1],  # too short
        "120101901004",  # no letter
        "12-010190-M-004",  # not a printed separator
    ],
)
def test_not_detected_even_with_cue(detect: Callable[..., list], number: str) -> None:
    assert detect(f"Sozialversicherungsnummer: {number}", threshold=0.0) == []


@pytest.mark.parametrize(
    "text",
    [
        f"Bestellnummer {VALID}",
        f"Rechnung {BATCH}",
        f"Artikel {_spaced(VALID)}",
        "Betrag 12.010,19 EUR",
        "Auftrag 2024-03-15-A-001",
        "Die Rente wurde bewilligt.",
    ],
)
def test_hard_negatives_without_cue(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_validate_result_keeps_base_score_for_valid_numbers() -> None:
    recognizer = DeSocialSecurityRecognizer()
    assert recognizer.validate_result(VALID) is None
    assert recognizer.validate_result(_spaced(VALID)) is None
    assert recognizer.validate_result(WRONG_CHECK) is False


def test_subclasses_upstream_recognizer() -> None:
    recognizer = DeSocialSecurityRecognizer()
    assert isinstance(recognizer, UpstreamDeSocialSecurityRecognizer)
    assert recognizer.supported_entities == ["DE_SOCIAL_SECURITY"]


@pytest.mark.parametrize(
    "text", [VALID, f"- {VALID}", f"Name;Nummer\nWeber;{VALID}\n", _spaced(VALID)]
)
def test_alone_in_message_line_or_cell(detect: Callable[..., list], text: str) -> None:
    number = text if text == _spaced(VALID) else VALID
    assert detect(text) == [("DE_SOCIAL_SECURITY", number, pytest.approx(0.5))]


def test_alone_under_another_numbers_header(detect: Callable[..., list]) -> None:
    # A batch number fits shape and checksum; its column says what it is.
    assert detect(f"Charge;Menge\n{BATCH};40\n") == []


@pytest.fixture(scope="module")
def peer_analyzer(make_analyzer: Callable[..., AnalyzerEngine]) -> AnalyzerEngine:
    return make_analyzer(DeSocialSecurityRecognizer())


@pytest.mark.parametrize("unit", peer_units("DE_SOCIAL_SECURITY"))
def test_peer_cases(peer_analyzer: AnalyzerEngine, unit: Unit) -> None:
    """Presidio's and python-stdnum's cases for this type (tests/peers/), as the peer
    suite scores them: the peer's expectation, or Leitplanke's choice where debatable."""
    check_unit(peer_analyzer, unit)
