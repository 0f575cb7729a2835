"""DeTaxIdRecognizer: stdnum checksum, gated by German/English cue words."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.predefined_recognizers import (
    DeTaxIdRecognizer as UpstreamDeTaxIdRecognizer,
)
from stdnum.de import idnr
from stdnum.iso7064 import mod_11_10

from checker.evaluation.peer_cases import Unit
from checker.recognizers import DeTaxIdRecognizer
from tests.checker.peer_helpers import check_unit, peer_units


def _idnr(first_ten: str) -> str:
    """A fictitious but checksum-valid IdNr: ten digits plus the computed check digit."""
    number = first_ten + mod_11_10.calc_check_digit(first_ten)
    assert idnr.is_valid(number), number
    return number


VALID = _idnr("4719358261")  # digit 1 occurs twice, 0 is missing
VALID_2 = _idnr("5183927465")
WRONG_CHECK = VALID[:-1] + str((int(VALID[-1]) + 1) % 10)
ALL_DIFFERENT = "2958371046" + mod_11_10.calc_check_digit("2958371046")  # no repeat


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(DeTaxIdRecognizer())


@pytest.mark.parametrize(
    "template",
    [
        "Steuer-ID: {n}",
        "Meine Steueridentifikationsnummer ist {n}.",
        "IdNr. {n}",
        "Steuer-IdNr.: {n}",
        "Ihre steuerliche Identifikationsnummer lautet {n}",
        "Identifikationsnummer {n}",
        "My German tax ID is {n}.",
        "TIN: {n}",
        "Tax identification number {n}",
        "{n} ist meine Steuer-ID",
    ],
)
def test_detected_with_cue_word(detect: Callable[..., list], template: str) -> None:
    text = template.format(n=VALID)
    assert detect(text) == [("DE_TAX_ID", VALID, pytest.approx(0.65))]


def test_grouped_print_format(detect: Callable[..., list]) -> None:
    grouped = idnr.format(VALID_2)  # "NN NNN NNN NNN"
    assert detect(f"IdNr. {grouped}") == [("DE_TAX_ID", grouped, pytest.approx(0.65))]


def test_bare_number_stays_below_threshold(detect: Callable[..., list]) -> None:
    text = f"Die Nummer {VALID} bitte prüfen."
    assert detect(text) == []
    assert detect(text, threshold=0.0) == [("DE_TAX_ID", VALID, pytest.approx(0.3))]


@pytest.mark.parametrize(
    "text",
    [
        f"Steuer-ID: {WRONG_CHECK}",  # wrong check digit
        f"Steuer-ID: {ALL_DIFFERENT}",  # checksum fits, but no digit repeats
        f"Steuer-ID: 0{VALID[1:]}",  # leading zero
        f"Steuer-ID: {VALID}1",  # twelve digits
        f"Steuer-ID: 1.{VALID}",  # part of a longer number
        f"Meeting-ID {VALID}",  # "tin" inside "Meeting" is no cue
        f"Martin {VALID}",
        f"Setting {VALID}",
        f"Bestellnummer {VALID}",
        "Die Rechnung ist fällig.",
    ],
)
def test_not_detected(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_validate_result_keeps_base_score_for_valid_numbers() -> None:
    recognizer = DeTaxIdRecognizer()
    # None, not True: True would make Presidio jump to score 1.0 and skip the gate.
    assert recognizer.validate_result(VALID) is None
    assert recognizer.validate_result(WRONG_CHECK) is False
    assert recognizer.validate_result(ALL_DIFFERENT) is False


def test_subclasses_upstream_recognizer() -> None:
    recognizer = DeTaxIdRecognizer()
    assert isinstance(recognizer, UpstreamDeTaxIdRecognizer)
    assert recognizer.supported_language == "de"
    assert recognizer.supported_entities == ["DE_TAX_ID"]


@pytest.mark.parametrize("text", [VALID, f"- {VALID}", f"Name;Nummer\nWeber;{VALID}\n"])
def test_alone_in_message_line_or_cell(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == [("DE_TAX_ID", VALID, pytest.approx(0.5))]


@pytest.mark.parametrize(
    "text", [f"Bestellnummer;Menge\n{VALID};3\n", f"Auf dem Zettel steht {VALID}."]
)
def test_alone_without_evidence(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


@pytest.fixture(scope="module")
def peer_analyzer(make_analyzer: Callable[..., AnalyzerEngine]) -> AnalyzerEngine:
    return make_analyzer(DeTaxIdRecognizer())


@pytest.mark.parametrize("unit", peer_units("DE_TAX_ID"))
def test_peer_cases(peer_analyzer: AnalyzerEngine, unit: Unit) -> None:
    """Presidio's and python-stdnum's cases for this type (tests/peers/), as the peer
    suite scores them: the peer's expectation, or Leitplanke's choice where debatable."""
    check_unit(peer_analyzer, unit)
