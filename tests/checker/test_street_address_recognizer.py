"""StreetAddressRecognizer: DACH and English street addresses, and look-alikes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from checker.recognizers import StreetAddressRecognizer


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(StreetAddressRecognizer())


@pytest.mark.parametrize(
    ("text", "address", "score"),
    [
        # street-suffix word + house number: 0.6
        ("Bitte an Hauptstraße 12a schicken", "Hauptstraße 12a", 0.6),
        ("Lieferung: Hauptstr. 12", "Hauptstr. 12", 0.6),
        ("Lindenallee 5-7", "Lindenallee 5-7", 0.6),
        ("Bahnhofplatz 1", "Bahnhofplatz 1", 0.6),
        ("Karl-Marx-Allee 3a", "Karl-Marx-Allee 3a", 0.6),
        ("Mariahilfer Straße 45/3/12", "Mariahilfer Straße 45/3/12", 0.6),
        ("Am Marktplatz 3", "Am Marktplatz 3", 0.6),
        ("Treffpunkt Hauptstraße 12, 2. OG", "Hauptstraße 12", 0.6),
        ("221B Baker Street", "221B Baker Street", 0.6),
        ("10 Downing Street, London", "10 Downing Street", 0.6),
        ("Postfach 10 20 30", "Postfach 10 20 30", 0.6),
        # with postcode and city: 0.85, the span includes them
        ("Am Markt 3, 70173 Stuttgart", "Am Markt 3, 70173 Stuttgart", 0.85),
        ("Goethestraße 17, 80336 München", "Goethestraße 17, 80336 München", 0.85),
        ("Postfach 10 20 30, 50667 Köln", "Postfach 10 20 30, 50667 Köln", 0.85),
        ("Mariahilfer Straße 45, 1060 Wien", "Mariahilfer Straße 45, 1060 Wien", 0.85),
        ("Bahnhofstrasse 10, 8001 Zürich", "Bahnhofstrasse 10, 8001 Zürich", 0.85),
        ("Musterweg 1\n12345 Musterstadt", "Musterweg 1\n12345 Musterstadt", 0.85),
        (
            "Frankfurter Str. 5, 60311 Frankfurt am Main",
            "Frankfurter Str. 5, 60311 Frankfurt am Main",
            0.85,
        ),
        (
            "10 Downing Street, London SW1A 2AA",
            "10 Downing Street, London SW1A 2AA",
            0.85,
        ),
        # address cue: +0.35
        ("Anschrift: Unter den Linden 77", "Unter den Linden 77", 0.75),
        ("Sie wohnt An der Alster 1", "An der Alster 1", 0.75),
        ("Unter den Linden 77 ist meine Adresse", "Unter den Linden 77", 0.75),
        ("Er wohnt in der Goethestraße 17 in München.", "Goethestraße 17", 0.95),
        ("She lives at 221B Baker Street.", "221B Baker Street", 0.95),
        ("Lieferadresse: Hauptstraße 12, 10115 Berlin", "Hauptstraße 12, 10115 Berlin", 1.0),
    ],
)
def test_addresses(detect: Callable[..., list], text: str, address: str, score: float) -> None:
    assert detect(text) == [("STREET_ADDRESS", address, pytest.approx(score))]


@pytest.mark.parametrize("address", ["Unter den Linden 77", "An der Alster 1", "Am Markt 3"])
def test_prefix_form_needs_a_cue(detect: Callable[..., list], address: str) -> None:
    assert detect(f"Treffpunkt: {address}") == []
    assert detect(address, threshold=0.0) == [("STREET_ADDRESS", address, pytest.approx(0.4))]


@pytest.mark.parametrize(
    "text",
    [
        # numbered things that are no streets
        "Raum 2.17",
        "Kapitel 3",
        "Version 12",
        "Plattform 4",
        "Strategie 2025",
        "Straßenbahn 3",
        "Weg 3 der Lösung",
        "Der Weg 3 ist das Ziel",
        "Jeder Platz 4 ist belegt",
        "im Markt 3 Produkte",
        "Im Jahr 2024 wohnt er in Berlin",
        "Arbeitsmarkt 2025",
        "Parkplatz 3",
        "Bahnsteig 4",
        "Gleis 3",
        "Supermarkt 3",
        "Lösungsweg 2",
        "Fuhrpark 12 Fahrzeuge",
        "Windpark 3 mit 12 Windrädern",
        "Monitoring 3",
        "Digital 3 und Faktor 4",
        "Codezeile 42",
        "Anhang 3",
        "in 2024 Oxford Street was busy",
        # amounts, order numbers, postcodes alone
        "Betrag 1.234,56 EUR",
        "Bestellung 12345",
        "Auftrag Nr. 4711",
        "Speicherplatz 5 GB",
        "12345 Musterstadt",
        "Die Rechnung ist fällig.",
    ],
)
def test_look_alikes_are_not_addresses(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_address_block_in_a_letter(detect: Callable[..., list]) -> None:
    text = (
        "Anna Weber\nGoethestraße 17\n80336 München\n\n"
        "Sehr geehrte Damen und Herren, Kapitel 3 der Anlage ..."
    )
    assert [span for _, span, _ in detect(text)] == ["Goethestraße 17\n80336 München"]


@pytest.mark.parametrize(
    "text",
    [
        # an organisation's letterhead, imprint, returns address or sites: no person's
        "Muster GmbH\nGoethestraße 17\n80336 München\n\nSehr geehrte Damen und Herren",
        "Impressum: Beispiel Logistik GmbH, Hafenstraße 22, 28217 Bremen, HRB 12345",
        "Returns Dept., Unit 4, 12 Riverside Road, Leeds LS10 1AB",
        "Standort;Straße;PLZ;Ort\nZentrale;Industriestraße 12;70565;Stuttgart",
        "Lieferadresse: Muster GmbH, Wareneingang Tor 3, Industriestraße 12, 74076 Heilbronn",
    ],
)
def test_organisation_addresses(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_recognizer_defaults() -> None:
    recognizer = StreetAddressRecognizer()
    assert recognizer.supported_language == "de"
    assert recognizer.supported_entities == ["STREET_ADDRESS"]
