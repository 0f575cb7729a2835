"""DeIdCardRecognizer: official alphabet, ID-card first letters, MRZ check digit, cues."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.predefined_recognizers import (
    DeIdCardRecognizer as UpstreamDeIdCardRecognizer,
)

from checker.evaluation.peer_cases import Unit
from checker.recognizers import DeIdCardRecognizer, DePassportRecognizer
from checker.recognizers.de_id_card_recognizer import calc_check_digit
from tests.checker.peer_helpers import check_unit, peer_units

SPECIMEN_2010 = "T22000129"  # BMI specimen card (Erika Mustermann), 2010
SPECIMEN_2019 = "L01X00T47"  # BMI specimen card, 2019/2021
FICTITIOUS = "LZ6311T4K"  # ends in a letter, as real numbers may
PASSPORT = "C01X00T47"  # passport specimen: C-K are passport letters


def _mrz(number: str) -> str:
    return number + calc_check_digit(number)


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(DeIdCardRecognizer())


@pytest.mark.parametrize(
    ("number", "check_digit"),
    [(SPECIMEN_2010, "3"), (SPECIMEN_2019, "1"), (PASSPORT, "8")],
)
def test_icao_check_digit_matches_specimen_mrz(number: str, check_digit: str) -> None:
    # MRZ of the specimens: IDD<<T220001293, IDD<<L01X00T471, C01X00T478D<<...
    assert calc_check_digit(number) == check_digit


def test_icao_check_digit_of_a_full_mrz_field() -> None:
    # ICAO Doc 9303 Part 3 worked example: document number "L898902C<" -> 3.
    assert calc_check_digit("L898902C<") == "3"


@pytest.mark.parametrize(
    "template",
    [
        "Personalausweisnummer: {n}",
        "Ausweisnummer {n}",
        "Ausweis-Nr. {n}",
        "Mein Perso hat die Nummer {n}",
        "Dokumentennummer {n}",
        "ID card number: {n}",
        "German identity card {n}",
        "national ID {n}",
        "{n} ist meine Personalausweisnummer",
    ],
)
@pytest.mark.parametrize("number", [SPECIMEN_2010, SPECIMEN_2019, FICTITIOUS])
def test_detected_with_cue(detect: Callable[..., list], template: str, number: str) -> None:
    text = template.format(n=number)
    assert detect(text) == [("DE_ID_CARD", number, pytest.approx(0.75))]


@pytest.mark.parametrize("number", [SPECIMEN_2010, SPECIMEN_2019])
def test_mrz_line_with_check_digit(detect: Callable[..., list], number: str) -> None:
    mrz = _mrz(number)
    text = f"IDD<<{mrz}<<<<<<<<<<<<<<<"
    assert detect(text) == [("DE_ID_CARD", mrz, pytest.approx(0.75))]


@pytest.mark.parametrize("number", [SPECIMEN_2010, SPECIMEN_2019, FICTITIOUS])
def test_bare_number_stays_below_threshold(detect: Callable[..., list], number: str) -> None:
    text = f"Bitte {number} prüfen."
    assert detect(text) == []
    assert detect(text, threshold=0.0) == [("DE_ID_CARD", number, pytest.approx(0.4))]


@pytest.mark.parametrize(
    "number",
    [
        PASSPORT,  # passport letter: DePassportRecognizer's job
        "Z01X00T47",  # travel document for foreigners
        "L01A00T47",  # A is not in the alphabet
        "LO1X00T47",  # letter O instead of zero
        "L01X00S47",  # S is not in the alphabet
        SPECIMEN_2019.lower(),
        SPECIMEN_2019[:-1],  # eight characters
        "123456789",  # no leading letter
        SPECIMEN_2019 + "0",  # MRZ form with a wrong check digit (1 is right)
        SPECIMEN_2019 + "1X",  # eleven characters
        f"X{SPECIMEN_2019}",
    ],
)
def test_not_detected_even_with_cue(detect: Callable[..., list], number: str) -> None:
    assert detect(f"Personalausweisnummer: {number}", threshold=0.0) == []


def test_mrz_wrong_check_digit_is_dropped(detect: Callable[..., list]) -> None:
    assert detect(f"IDD<<{SPECIMEN_2010}4<<<<<<<<<", threshold=0.0) == []


@pytest.mark.parametrize(
    "text",
    [
        "Bestellnummer T12345678",
        "Artikel M20240315",  # article number, no cue
        f"Seriennummer {SPECIMEN_2019}",  # device serials share the alphabet
        f"Passwort {SPECIMEN_2010}",  # no substring cues
        "Rechnung R20240001",
        "Betrag 1.234.567,89 EUR",
        "PHP, XML, HTTP und TLS",
    ],
)
def test_hard_negatives_without_cue(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_validate_result() -> None:
    recognizer = DeIdCardRecognizer()
    assert recognizer.validate_result(SPECIMEN_2019) is None
    assert recognizer.validate_result(_mrz(SPECIMEN_2019)) is None
    assert recognizer.validate_result(SPECIMEN_2019 + "0") is False
    assert recognizer.validate_result(PASSPORT) is False


def test_subclasses_upstream_recognizer() -> None:
    recognizer = DeIdCardRecognizer()
    assert isinstance(recognizer, UpstreamDeIdCardRecognizer)
    assert recognizer.supported_entities == ["DE_ID_CARD"]


@pytest.mark.parametrize(
    "text",
    [
        SPECIMEN_2019,  # a chat message with just the number
        f"- {SPECIMEN_2019}",
        f"Name;Nummer\nWeber;{SPECIMEN_2019}\n",
        f"Pos;Wert\n1;{SPECIMEN_2019}\n",
    ],
)
def test_alone_with_a_letter_in_the_random_part(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == [("DE_ID_CARD", SPECIMEN_2019, pytest.approx(0.5))]


@pytest.mark.parametrize(
    "text",
    [
        SPECIMEN_2010,  # "T22000129": a letter and eight digits, the shape of an SKU
        "M12345678",
        f"SKU;Menge\n{SPECIMEN_2019};3\n",  # the header names another kind of number
        f"{SPECIMEN_2019}1",  # MRZ form alone: needs the MRZ or a cue
    ],
)
def test_alone_without_evidence(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


@pytest.fixture(scope="module")
def peer_analyzer(make_analyzer: Callable[..., AnalyzerEngine]) -> AnalyzerEngine:
    return make_analyzer(DeIdCardRecognizer(), DePassportRecognizer())


@pytest.mark.parametrize("unit", peer_units("DE_ID_CARD"))
def test_peer_cases(peer_analyzer: AnalyzerEngine, unit: Unit) -> None:
    """Presidio's and python-stdnum's cases for this type (tests/peers/), as the peer
    suite scores them: the peer's expectation, or Leitplanke's choice where debatable."""
    check_unit(peer_analyzer, unit)
