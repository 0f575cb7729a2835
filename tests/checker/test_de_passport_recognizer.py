"""DePassportRecognizer: official alphabet, passport first letters, MRZ check digit, cues."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from presidio_analyzer import AnalyzerEngine, EntityRecognizer
from presidio_analyzer.predefined_recognizers import (
    DePassportRecognizer as UpstreamDePassportRecognizer,
)

from checker.evaluation.peer_cases import Unit
from checker.recognizers import DeIdCardRecognizer, DePassportRecognizer
from checker.recognizers.de_id_card_recognizer import calc_check_digit
from tests.checker.peer_helpers import check_unit, peer_units

SPECIMEN = "C01X00T47"  # BMI passport specimen (Erika Mustermann)
FICTITIOUS = "CF4K21N7X"  # ends in a letter
TRAVEL_DOCUMENT = "Z7KP0M3R2"  # Reiseausweis for foreigners starts with Z
ID_CARD = "L01X00T47"  # ID-card specimen: L-Y are ID-card letters
MRZ_LINE_1 = "P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<"


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(DePassportRecognizer())


@pytest.mark.parametrize(
    "template",
    [
        "Reisepassnummer: {n}",
        "Passnummer {n}",
        "Pass-Nr. {n}",
        "Mein Pass hat die Nummer {n}",
        "Reisepass {n}, gültig bis 2030",
        "Dokumentennummer {n}",
        "passport number: {n}",
        "Passport No. {n}",
        "{n} ist meine Reisepassnummer",
    ],
)
@pytest.mark.parametrize("number", [SPECIMEN, FICTITIOUS, TRAVEL_DOCUMENT])
def test_detected_with_cue(detect: Callable[..., list], template: str, number: str) -> None:
    text = template.format(n=number)
    assert detect(text) == [("DE_PASSPORT", number, pytest.approx(0.75))]


def test_mrz_with_check_digit(detect: Callable[..., list]) -> None:
    mrz = SPECIMEN + calc_check_digit(SPECIMEN)  # C01X00T478
    text = f"{MRZ_LINE_1}\n{mrz}D<<6408125F2702283<<<<<<<<<<<<<<<4"
    assert detect(text) == [("DE_PASSPORT", mrz, pytest.approx(0.75))]


def test_mrz_wrong_check_digit_is_dropped(detect: Callable[..., list]) -> None:
    text = f"{MRZ_LINE_1}\n{SPECIMEN}1D<<6408125F2702283<<<<<<<<<<<<<<<4"
    assert detect(text, threshold=0.0) == []


@pytest.mark.parametrize("number", [SPECIMEN, FICTITIOUS])
def test_bare_number_stays_below_threshold(detect: Callable[..., list], number: str) -> None:
    text = f"Bitte {number} prüfen."
    assert detect(text) == []
    assert detect(text, threshold=0.0) == [("DE_PASSPORT", number, pytest.approx(0.4))]


@pytest.mark.parametrize(
    "number",
    [
        ID_CARD,  # ID-card letter: DeIdCardRecognizer's job
        "T22000129",
        "C01E00T47",  # E is not in the alphabet
        "CO1X00T47",  # letter O instead of zero
        SPECIMEN.lower(),
        SPECIMEN[:-1],
        SPECIMEN + "0",  # MRZ form with a wrong check digit (8 is right)
        "A01X00T47",
    ],
)
def test_not_detected_even_with_cue(detect: Callable[..., list], number: str) -> None:
    assert detect(f"Reisepassnummer: {number}", threshold=0.0) == []


@pytest.mark.parametrize(
    "text",
    [
        f"Passwort: {SPECIMEN}",  # upstream's substring cue "pass"
        f"passend zu Artikel {FICTITIOUS}",
        "Bestellnummer K12345678",
        "Kundennummer C20240001",
        f"Seriennummer {SPECIMEN}",
        "Betrag 1.234.567,89 EUR",
    ],
)
def test_hard_negatives_without_cue(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_id_card_and_passport_do_not_overlap(
    make_analyzer: Callable[[EntityRecognizer], AnalyzerEngine],
) -> None:
    text = f"Ausweisnummer {ID_CARD}, Reisepassnummer {SPECIMEN}"
    found = {
        (r.entity_type, text[r.start : r.end])
        for recognizer in (DeIdCardRecognizer(), DePassportRecognizer())
        for r in make_analyzer(recognizer).analyze(text, language="de")
    }
    assert found == {("DE_ID_CARD", ID_CARD), ("DE_PASSPORT", SPECIMEN)}


def test_subclasses_upstream_recognizer() -> None:
    recognizer = DePassportRecognizer()
    assert isinstance(recognizer, UpstreamDePassportRecognizer)
    assert recognizer.supported_entities == ["DE_PASSPORT"]
    assert recognizer.validate_result(SPECIMEN) is None


@pytest.mark.parametrize("text", [FICTITIOUS, f"Reisende;Nummer\nWeber;{FICTITIOUS}\n"])
def test_alone_with_a_letter_in_the_random_part(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == [("DE_PASSPORT", FICTITIOUS, pytest.approx(0.5))]


@pytest.mark.parametrize("text", ["C01234565", "F12345671", f"Artikel;Preis\n{FICTITIOUS};3\n"])
def test_alone_without_evidence(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


@pytest.fixture(scope="module")
def peer_analyzer(make_analyzer: Callable[..., AnalyzerEngine]) -> AnalyzerEngine:
    return make_analyzer(DePassportRecognizer(), DeIdCardRecognizer())


@pytest.mark.parametrize("unit", peer_units("DE_PASSPORT"))
def test_peer_cases(peer_analyzer: AnalyzerEngine, unit: Unit) -> None:
    """Presidio's and python-stdnum's cases for this type (tests/peers/), as the peer
    suite scores them: the peer's expectation, or Leitplanke's choice where debatable."""
    check_unit(peer_analyzer, unit)
