"""DeKfzRecognizer: number-plate shape, upper case only, found only with a cue word."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.predefined_recognizers import (
    DeKfzRecognizer as UpstreamDeKfzRecognizer,
)

from checker.evaluation.peer_cases import Unit
from checker.recognizers import DeKfzRecognizer
from checker.recognizers.de_kfz_recognizer import district_codes
from tests.checker.peer_helpers import check_unit, peer_units


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(DeKfzRecognizer())


@pytest.mark.parametrize(
    ("text", "plate"),
    [
        ("Kennzeichen: M-AB 1234", "M-AB 1234"),
        ("Kfz-Kennzeichen B AB 123E", "B AB 123E"),
        ("Das Fahrzeug HH-XY 99H steht im Hof.", "HH-XY 99H"),
        ("Amtliches Kennzeichen TÜ-AB 12", "TÜ-AB 12"),
        ("Nummernschild SÜW-Z 7", "SÜW-Z 7"),
        ("Der Pkw (M AB 1234) wurde geblitzt.", "M AB 1234"),
        ("Firmenwagen K-LM 42 zurückgeben", "K-LM 42"),
        ("Mein Auto: M-AB-1234", "M-AB-1234"),
        ("Fahrzeughalter von BN- XY 815 gesucht", "BN- XY 815"),
        ("License plate M-XY 4711", "M-XY 4711"),
        ("The car with plate B-MW 3 was parked outside.", "B-MW 3"),
        ("HH-XY 99H ist das Kennzeichen meines Dienstwagens", "HH-XY 99H"),
    ],
)
def test_detected_with_cue(detect: Callable[..., list], text: str, plate: str) -> None:
    assert detect(text) == [("DE_KFZ", plate, pytest.approx(0.75))]


@pytest.mark.parametrize("plate", ["B AB 123E", "M AB 1234", "M-AB-1234", "QQ-AB 12"])
def test_bare_plate_stays_below_threshold(detect: Callable[..., list], plate: str) -> None:
    """Space form, all-hyphen form and unknown districts need a cue."""
    text = f"Treffen mit {plate} morgen."
    assert detect(text) == []
    assert detect(text, threshold=0.0) == [("DE_KFZ", plate, pytest.approx(0.4))]


@pytest.mark.parametrize(
    ("text", "plate"),
    [
        ("Treffen mit M-AB 1234 morgen.", "M-AB 1234"),
        ("4: Katrin Çelik, K-TD 2592", "K-TD 2592"),
        ("Abholung durch GÖ-AB 8016E am Tor.", "GÖ-AB 8016E"),
        ("HH-XY 99H", "HH-XY 99H"),
        ("Bitte SÜW-Z 7 umparken.", "SÜW-Z 7"),
    ],
)
def test_hyphen_form_with_known_district_without_cue(
    detect: Callable[..., list], text: str, plate: str
) -> None:
    assert detect(text) == [("DE_KFZ", plate, pytest.approx(0.5))]


@pytest.mark.parametrize(
    ("text", "plates"),
    [
        (
            "Stellplatzvergabe Tiefgarage:\n- Stellplatz 20: Katrin Schwarz, B N 6740\n"
            "- Stellplatz 21: Annelies Haddad, LB DP 5952E",
            ["B N 6740", "LB DP 5952E"],
        ),
        (
            "Name,Geburtsdatum,IBAN,Kennzeichen\n"
            '"Marie Wagner",19.4.1948,DE94 8258 8160 0609 6050 43,B-T 4224\n'
            '"Heike Weber",17.02.1977,DE92 1077 6926 0752 2252 46,FR A 683\n'
            '"Holger Öztürk",15.09.1985,DE17 2804 8647 8713 0374 52,F H 3065\n'
            '"Ute von Arnim",9.5.1970,DE63206425132914503398,HD E 671',
            ["B-T 4224", "FR A 683", "F H 3065", "HD E 671"],
        ),
        ("| Fahrer | Kfz |\n|---|---|\n| A. Roth | K SL 7509 |", ["K SL 7509"]),
        ("Parking space 12 is assigned to the car K HX 126.", ["K HX 126"]),
    ],
)
def test_lists_and_tables_with_cue(
    detect: Callable[..., list], text: str, plates: list[str]
) -> None:
    assert [(entity, span) for entity, span, _ in detect(text)] == [
        ("DE_KFZ", plate) for plate in plates
    ]
    assert all(score == pytest.approx(0.75) for _, _, score in detect(text))


@pytest.mark.parametrize(
    "text",
    [
        "Das Auto kostet bis zu 100 Euro.",  # upstream matches "bis zu 100"
        "Mein Auto braucht um die 20 Liter.",
        "Kennzeichen M-AB 0123",  # leading zero
        "Kennzeichen M-AB 12345",  # five digits
        "Kennzeichen M-ABC 123",  # three Erkennungsbuchstaben
        "Kennzeichen MÜL-XY 1234",  # nine characters, FZV allows eight
        "Kennzeichen M-AB 12X",  # suffix other than E/H
        "Kennzeichen m-ab 1234",  # lower case
        "Kennzeichen ABCD-E 1",  # four-letter district
        "Kennzeichen M-AB 1234-5",  # glued to more digits
    ],
)
def test_not_detected_even_with_cue(detect: Callable[..., list], text: str) -> None:
    assert detect(text, threshold=0.0) == []


@pytest.mark.parametrize(
    "text",
    [
        "Bestellung IT AG 2024 bestätigt",
        "Artikel AB-CD 1234",
        "Rechnung RE-AB 4711",
        "Automatisierung M AB 1234",  # "auto" only as a whole word
        "Kennzeichnung der Ware: DIN EN 71",  # "Kennzeichnung" is no cue; DIN EN 71 fits the shape
        "Siehe ISO-TS 16",
        "Seite 12, KW 34",
        "Das kostet bis zu 100 Euro.",
        "Gemäß DIN EN 71 und ISO 9001 zertifiziert.",
        "Bitte A4 100 Blatt bestellen, Typ B 12.",
        "Im Meeting M AB 12 besprochen.",  # space form: no cue, no plate
        "Die Norm EN-ISO 9001 gilt.",
        "Artikel-Nr. AB-CD 1234, Modell K-AB 12",
        "Gewinde M-AB 12 und Schraube M-X 8 bestellen.",
        "Der HD-TV 4 Bildschirm ist defekt.",
        "Die Baureihe DE-AB 120 ist ausgelaufen.",
        "Die Strecke A-B 100 km ist gesperrt.",
        "Die Vorgabe EU-KI 2024 gilt ab sofort.",
        "Öffnungszeiten MO-FR 9 Uhr bis 17 Uhr.",
        "Das Team (HR-IT 2) trifft sich in Raum S-W 4.",
        "Projekt Nord, Phase ST-AB 12 abgeschlossen.",
        "Bestellung;Menge;Preis\nA-B 12;3;4,50 €\nK-L 7;1;9,99 €",
        "Ticket OPS-1234 und RE-2024-00012 erledigt.",
    ],
)
def test_hard_negatives_without_cue(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_validate_result_length_rule() -> None:
    recognizer = DeKfzRecognizer()
    assert recognizer.validate_result("M-AB 1234") is None
    assert recognizer.validate_result("HH-XY 99H") is None
    assert recognizer.validate_result("MÜL-XY 1234") is False


def test_district_list() -> None:
    codes = district_codes()
    assert len(codes) > 600
    assert {"A", "AA", "B", "M", "MZ", "HH", "GÖ", "SÜW", "ZZ"} <= codes
    assert not {"ISO", "IT", "SAP", "QQ"} & codes


def test_subclasses_upstream_recognizer() -> None:
    recognizer = DeKfzRecognizer()
    assert isinstance(recognizer, UpstreamDeKfzRecognizer)
    assert recognizer.supported_entities == ["DE_KFZ"]


@pytest.mark.parametrize(
    "plate", ["B AB 1234", "M-XY-999", "HH AB 1234", "KA EF 12H", "S AB 12E", "MIL E 1234"]
)
def test_alone_with_a_known_district(detect: Callable[..., list], plate: str) -> None:
    assert detect(plate) == [("DE_KFZ", plate, pytest.approx(0.5))]
    assert detect(f"Name;Wert\nWeber;{plate}\n") == [("DE_KFZ", plate, pytest.approx(0.5))]


@pytest.mark.parametrize(
    "text",
    [
        "QQ AB 1234",  # no such district
        "EU-KI 2024",  # year-like number
        "HD-TV 4",  # acronym
        "MO-FR 9",  # weekdays
        "MIL EF 1234E",  # nine letters and digits: longer than the FZV allows
        "Artikel;Menge\nAB-CD 1234;3\n",
        "b ab 1234",  # lower case
    ],
)
def test_alone_look_alikes(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


@pytest.fixture(scope="module")
def peer_analyzer(make_analyzer: Callable[..., AnalyzerEngine]) -> AnalyzerEngine:
    return make_analyzer(DeKfzRecognizer())


@pytest.mark.parametrize("unit", peer_units("DE_KFZ"))
def test_peer_cases(peer_analyzer: AnalyzerEngine, unit: Unit) -> None:
    """Presidio's and python-stdnum's cases for this type (tests/peers/), as the peer
    suite scores them: the peer's expectation, or Leitplanke's choice where debatable."""
    check_unit(peer_analyzer, unit)
