"""Health data about a person vs. medical vocabulary about no one (issue 15).

Table-driven through HealthDataRecognizer: positives (a person is named or the text
is a note about someone), negatives and hard negatives (studies, law, statistics,
prevention, products, coding questions, document words).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from checker.recognizers import HealthDataRecognizer


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(HealthDataRecognizer())


def _spans(found: list) -> list[str]:
    return [span for _, span, _ in found]


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        # medications by name and by dose
        ("Herr Lorenz nimmt Marcumar und darf nicht an die Stanze.", ["Marcumar"]),
        ("Medikation: ASS 100 mg 1-0-0, Clopidogrel 75 mg", ["ASS", "Clopidogrel"]),
        ("Patient Ahmed Karimi, type 2 diabetes on metformin", ["type 2 diabetes", "metformin"]),
        # procedures, aids, care and discharge jargon, colloquial wording
        (
            "Frau Kessler, Dekubitus Grad 2 sakral, mobil mit Rollator.",
            ["Dekubitus Grad 2", "Rollator"],
        ),
        (
            "Herr Baran kommt nach der Knie-OP im Hamburger Modell zurück.",
            ["Knie-OP", "Hamburger Modell"],
        ),
        ("sie hat magen-darm und fällt die woche aus", ["magen-darm"]),
        ("Unser Kollege hat ein Alkoholproblem.", ["Alkoholproblem"]),
        (
            "Diagnosen: arterielle Hypertonie, Hypercholesterinämie",
            ["arterielle Hypertonie", "Hypercholesterinämie"],
        ),
        # list items after a health label
        ("Allergien: Penicillin, Nüsse, Latex", ["Penicillin", "Nüsse", "Latex"]),
        # a weak term next to a person or a health statement
        ("Mein Vater ist seit dem Schlaganfall im Rollstuhl.", ["Schlaganfall", "Rollstuhl"]),
        # a note about someone without general words stays a finding
        ("Tinnitus schlimmer geworden, AU bis Freitag.", ["Tinnitus"]),
        # general words do not hide a named person
        (
            "Statistik fürs Quartal: Frau Okonkwo hat seit drei Wochen Rückenschmerzen.",
            ["Rückenschmerzen"],
        ),
    ],
)
def test_about_a_person(detect: Callable[..., list], text: str, spans: list[str]) -> None:
    assert _spans(detect(text)) == spans


@pytest.mark.parametrize(
    "text",
    [
        "Fasse die Studie zusammen: Metformin senkte das Risiko für Typ-2-Diabetes um 31 %.",
        "Was regelt das Mutterschutzgesetz bei Nachtarbeit?",
        "Entwirf einen Aushang für unsere Burnout-Prävention mit Rückenschule.",
        "Welcher ICD-10-Code ist für eine akute Bronchitis richtig, J20.9 oder J40?",
        "Im Jahr 2024 gab es 14 meldepflichtige Arbeitsunfälle, die Krankenquote lag bei 5,8 %.",
        "Write a short intranet article about flu vaccination and who should get it.",
        "Produkttext: Das Blutdruckmessgerät erkennt Herzrhythmusstörungen.",
        "Wie viele Menschen in Deutschland haben Diabetes?",
        "Betriebsvereinbarung § 4: Beschäftigte, die länger als sechs Wochen "
        "arbeitsunfähig sind, bekommen ein BEM.",
        "Erkläre den Unterschied zwischen Arbeitsunfähigkeitsbescheinigung und Attest.",
        "Explain how insulin pumps work for a biology class.",
        "Ich habe eine Frage zur Studie über Migräne bei Schichtarbeit.",
    ],
)
def test_about_no_one(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []
