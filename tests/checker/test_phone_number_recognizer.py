"""PhoneNumberRecognizer: DACH formats, international prefixes, and look-alikes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.predefined_recognizers import PhoneRecognizer

from checker.evaluation.peer_cases import Unit
from checker.recognizers import PhoneNumberRecognizer
from tests.checker.peer_helpers import check_unit, peer_units


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(PhoneNumberRecognizer())


@pytest.mark.parametrize(
    "number",
    [
        "030 1234567",
        "+49 30 12345678",
        "0171 1234567",
        "0171/1234567",
        "(089) 123 456-78",
        "+43 1 234 56 78",
        "+41 44 123 45 67",
        "0049 89 1234567",
        "01711234567",  # bare mobile number
        "+44 20 7946 0958",
        "+33 1 23 45 67 89",
        "+1 212 555 0123",
    ],
)
def test_formats_without_context(detect: Callable[..., list], number: str) -> None:
    text = f"Sie erreichen mich unter {number}."
    found = detect(text)
    assert [(entity, span) for entity, span, _ in found] == [("PHONE_NUMBER", number)]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Tel.: 0301234567", "0301234567"),
        ("Telefon 0301234567", "0301234567"),
        ("Mobil: 2125550123", "2125550123"),
        ("Handy 612 345 678", "612 345 678"),
        ("Rufnummer: 0301234567", "0301234567"),
        ("Fax 0301234567", "0301234567"),
        ("Please call 2125550123 tomorrow", "2125550123"),
        ("My phone: 0301234567", "0301234567"),
        ("mobile 2125550123", "2125550123"),
        ("My CN number is 13812345678", "13812345678"),
        ("Meine private Nummer: 0301234567", "0301234567"),
    ],
)
def test_weak_shapes_need_a_cue_word(detect: Callable[..., list], text: str, number: str) -> None:
    assert [span for _, span, _ in detect(text)] == [number]
    assert detect(number) == [], "without the cue word the score stays below 0.5"


@pytest.mark.parametrize(
    "number", ["(212) 555-0123", "(212)555-0123", "212-555-0123", "212.555.0123"]
)
def test_north_american_formats_without_cue(detect: Callable[..., list], number: str) -> None:
    # A valid area code and exchange in the way North Americans write numbers.
    assert detect(f"Die Nummer {number} gilt.") == [("PHONE_NUMBER", number, pytest.approx(0.5))]


def test_international_and_national_form_on_one_line(detect: Callable[..., list]) -> None:
    text = "My US number is (415) 555-0132, and my international one is +1 415 555 0132"
    assert [span for _, span, _ in detect(text)] == ["(415) 555-0132", "+1 415 555 0132"]


def test_chinese_mobile_numbers_need_a_cue(detect: Callable[..., list]) -> None:
    assert detect("Bestellung 13812345678 ist raus") == []
    assert detect("Bestellung 13812345678 ist raus", threshold=0.0) == [
        ("PHONE_NUMBER", "13812345678", pytest.approx(0.4))
    ]
    assert detect("Bestellung 10012345678", threshold=0.0) == []  # no CN mobile prefix


def test_cue_a_few_words_before(detect: Callable[..., list]) -> None:
    text = "Telefon (tagsüber, im Büro): 0301234567"
    assert [span for _, span, _ in detect(text)] == ["0301234567"]


def test_scores_by_prefix(detect: Callable[..., list]) -> None:
    def score(text: str) -> float:
        return max(s for _, _, s in detect(text, threshold=0.0))

    assert score("+49 30 12345678") == pytest.approx(0.7)
    assert score("030 1234567") == pytest.approx(0.6)
    assert score("0301234567") == pytest.approx(0.4)
    assert score("Tel. 030 1234567") == pytest.approx(0.95)


@pytest.mark.parametrize(
    "text",
    [
        "geboren am 03.04.1985 in Köln",
        "Stichtag 2024-01-15",
        "seit dem 1.1.2020",
        "Termin am 12.03.2024 um 14:30 Uhr",
        "Betrag: 1.234,56 EUR",
        "Umsatz 12.345.678 Euro",
        "10115 Berlin",
        "1010 Wien",
        "8001 Zürich",
        "IBAN DE89 3704 0044 0532 0130 00",
        "IBAN DE89370400440532013000",
        "Kundennummer 0301234567",
        "Rechnungsnummer 2024-000123",
        "Bestellnummer 123456789",
        "Steuer-ID 36 574 261 809",
        "Version 1.2.3, IP 192.168.1.1",
        "Bitte stellen Sie 123456789 bereit",  # "stellen" contains "tel"
        "Hotel Adlon, Zimmer 0301234567",  # "Hotel" contains "tel"
        "Immobilien 0301234567",  # "Immobilien" contains "mobil"
        "Die Rechnung ist fällig.",
        "Artikel ABC0301234567",
        # part and serial numbers written like phone numbers
        "Ersatzteil 04-2372-75 bestellt",
        "Art.-Nr. 05-4981-75  407 Stück",
        "Wartungsprotokoll Anlage SN 0732-7412-32: Ölwechsel",
        "my order number is 0301234567",
    ],
)
def test_look_alikes_are_not_phone_numbers(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_phone_label_overrides_an_earlier_other_label(detect: Callable[..., list]) -> None:
    text = "Kundennummer 4711, Telefon 0301234567"
    assert [span for _, span, _ in detect(text)] == ["0301234567"]


def test_multiple_numbers_in_long_text(detect: Callable[..., list]) -> None:
    filler = "Lorem ipsum dolor sit amet. " * 200
    text = f"{filler}Büro: 030 1234567\n{filler}Mobil: +49 171 1234567\n{filler}"
    assert [span for _, span, _ in detect(text)] == ["030 1234567", "+49 171 1234567"]


def test_is_a_presidio_phone_recognizer() -> None:
    recognizer = PhoneNumberRecognizer()
    assert isinstance(recognizer, PhoneRecognizer)
    assert recognizer.supported_language == "de"
    assert recognizer.supported_entities == ["PHONE_NUMBER"]
    assert set(recognizer.supported_regions) == {
        "DE",
        "AT",
        "CH",
        "GB",
        "US",
        "FR",
        "IT",
        "NL",
        "PL",
        "ES",
    }


@pytest.mark.parametrize(
    "text",
    [
        "Die Bauteile mit der Sachnummer 0815-4711-A sind ab KW 48 lieferbar.",
        "Teilenummer 0301-234567",
    ],
)
def test_part_numbers_are_not_phone_numbers(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


@pytest.fixture(scope="module")
def peer_analyzer(make_analyzer: Callable[..., AnalyzerEngine]) -> AnalyzerEngine:
    return make_analyzer(PhoneNumberRecognizer())


@pytest.mark.parametrize("unit", peer_units("PHONE_NUMBER"))
def test_peer_cases(peer_analyzer: AnalyzerEngine, unit: Unit) -> None:
    """Presidio's and python-stdnum's cases for this type (tests/peers/), as the peer
    suite scores them: the peer's expectation, or Leitplanke's choice where debatable."""
    check_unit(peer_analyzer, unit)
