"""DeKfzRecognizer: number-plate shape, upper case only, found only with a cue word."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from presidio_analyzer.predefined_recognizers import (
    DeKfzRecognizer as UpstreamDeKfzRecognizer,
)

from checker.recognizers import DeKfzRecognizer


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


@pytest.mark.parametrize("plate", ["M-AB 1234", "B AB 123E", "HH-XY 99H"])
def test_bare_plate_stays_below_threshold(detect: Callable[..., list], plate: str) -> None:
    text = f"Treffen mit {plate} morgen."
    assert detect(text) == []
    assert detect(text, threshold=0.0) == [("DE_KFZ", plate, pytest.approx(0.4))]


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
        "Automatisierung M-AB 1234",  # "auto" only as a whole word
        "Kennzeichnung der Ware: DIN EN 71",  # "Kennzeichnung" is no cue; DIN EN 71 fits the shape
        "Siehe ISO-TS 16",
        "Seite 12, KW 34",
    ],
)
def test_hard_negatives_without_cue(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_validate_result_length_rule() -> None:
    recognizer = DeKfzRecognizer()
    assert recognizer.validate_result("M-AB 1234") is None
    assert recognizer.validate_result("HH-XY 99H") is None
    assert recognizer.validate_result("MÜL-XY 1234") is False


def test_subclasses_upstream_recognizer() -> None:
    recognizer = DeKfzRecognizer()
    assert isinstance(recognizer, UpstreamDeKfzRecognizer)
    assert recognizer.supported_entities == ["DE_KFZ"]
