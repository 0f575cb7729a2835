"""HealthDataRecognizer: Art. 9 health information in German and English text."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from checker.recognizers import HealthDataRecognizer


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(HealthDataRecognizer())


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Herr Becker ist bis Freitag krankgeschrieben.", "krankgeschrieben"),
        ("Anbei die AU-Bescheinigung von Frau Weiß.", "AU-Bescheinigung"),
        ("Die Arbeitsunfähigkeitsbescheinigung kam per Post.", "Arbeitsunfähigkeitsbescheinigung"),
        ("Sie ist schwanger und geht im Mai in Mutterschutz.", "schwanger"),
        ("Antrag wegen Schwerbehinderung (Grad der Behinderung 50)", "Schwerbehinderung"),
        ("Einladung zum BEM-Gespräch nach sechs Wochen Krankheit", "BEM-Gespräch"),
        ("Diagnose: F32.1 (mittelgradige depressive Episode)", "F32.1"),
        ("Kollege Meier hatte eine Operation am Knie.", "Operation"),
        ("He was diagnosed with diabetes last year.", "diagnosed with"),
        ("Please find her sick note attached.", "sick note"),
        ("She starts maternity leave in May.", "maternity leave"),
    ],
)
def test_detects_health_information(detect: Callable[..., list], text: str, span: str) -> None:
    found = [(entity, value) for entity, value, _ in detect(text)]
    assert ("HEALTH_DATA", span) in found


@pytest.mark.parametrize(
    "text",
    [
        "Die Operation am Markt war erfolgreich.",  # weak term without a cue
        "Wir brauchen Version B12, A4-Papier und Raum C03.",  # ICD shapes without a cue
        "Our therapy for legacy code: refactoring.",
        "Das Team hat die Reha-Klinik als Kunden gewonnen.",
        "Wärmepumpen sparen Energie.",
    ],
)
def test_ignores_ordinary_business_text(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_icd_code_is_case_sensitive(detect: Callable[..., list]) -> None:
    assert detect("Diagnose laut Arzt: f32.1") == [("HEALTH_DATA", "Diagnose", pytest.approx(0.75))]
