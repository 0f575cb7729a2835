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
        ("Sie ist schwanger und geht im Mai in Mutterschutz.", "schwanger"),
        ("Antrag wegen Schwerbehinderung (Grad der Behinderung 50)", "Schwerbehinderung"),
        ("Diagnose: F32.1 (mittelgradige depressive Episode)", "F32.1"),
        ("Kollege Meier hatte eine Operation am Knie.", "Operation"),
        ("He was diagnosed with diabetes last year.", "diagnosed with diabetes"),
        ("Please find her sick note attached.", "sick note"),
        ("She starts maternity leave in May.", "maternity leave"),
        # diagnoses, German
        ("Er hat seit dem Sommer Long Covid.", "Long Covid"),
        ("Beim Fußball hat sie sich einen Kreuzbandriss zugezogen.", "Kreuzbandriss"),
        ("Er leidet an einer Angststörung.", "Angststörung"),
        ("Ihr Bluthochdruck ist gut eingestellt.", "Bluthochdruck"),
        ("Wegen Migräne fällt sie heute aus.", "Migräne"),
        ("Er hatte letztes Jahr einen Herzinfarkt.", "Herzinfarkt"),
        ("Nach dem Schlaganfall arbeitet er in Teilzeit.", "Schlaganfall"),
        ("Bei ihm wurde Multiple Sklerose festgestellt.", "Multiple Sklerose"),
        ("Sie hat Brustkrebs und ist in Chemotherapie.", "Brustkrebs"),
        ("Sein Vater hat Demenz.", "Demenz"),
        ("Unser Azubi hat ADHS.", "ADHS"),
        ("Der Tinnitus ist schlimmer geworden.", "Tinnitus"),
        ("Sie hat eine Gürtelrose.", "Gürtelrose"),
        ("Nach der Knieoperation ist er zwei Wochen weg.", "Knieoperation"),
        ("Er ist arbeitsunfähig erkrankt.", "arbeitsunfähig erkrankt"),
        ("Er hat sich krank gemeldet.", "krank gemeldet"),
        ("Kollegin Roth hat die Grippe.", "Grippe"),
        ("Frau Yilmaz hat eine Allergie gegen Nüsse.", "Allergie"),
        ("Sie ist an Corona erkrankt.", "an Corona erkrankt"),
        ("Antrag mit Schwerbehinderung (GdB 50) liegt vor.", "Schwerbehinderung (GdB 50)"),
        # diagnoses, English
        ("He has a herniated disc.", "herniated disc"),
        ("She was treated for high blood pressure.", "high blood pressure"),
        ("He is off sick with migraine.", "off sick"),
        ("She suffers from an anxiety disorder.", "anxiety disorder"),
        ("My son has type 2 diabetes.", "type 2 diabetes"),
        ("He had a heart attack in March.", "heart attack"),
        ("She was diagnosed with breast cancer.", "diagnosed with breast cancer"),
        ("Our new hire is autistic.", "autistic"),
        ("He is on sick leave until Friday.", "on sick leave"),
        # ICD-10: dotted codes alone, undotted with a cue
        ("Grund laut eigener Aussage: J45.0.", "J45.0"),
        ("Kodiert als M54.5 und F32.1", "M54.5"),
        ("ICD F32 bestätigt", "F32"),
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
        "Krebs & Partner Steuerberatung prüft den Jahresabschluss.",
        "Termin mit Herrn Krebs am Montag.",  # a surname after a salutation
        "Die Grippewelle im Absatzmarkt ist vorbei.",
        "Therapie für Legacy-Code: erst Tests, dann Refactoring.",
        "Eine Allergie gegen Meetings hat jeder.",
        "Die Besprechung ist in Raum B12.3, das Bauteil A12.5 liegt in Halle 2.",
        "Siehe Abschnitt C10.2 und Kapitel D04.1 der Spezifikation.",
        "Setze einen Breakpoint mit gdb und starte neu.",
        "Der Bruch im Vertrag kostet uns 12.000 Euro.",
        "Wegen Covid-19 sank der Umsatz 2020 um 8 Prozent.",
        "Preis 12,50 EUR, Artikel B12.30 im Lager.",
        "Die Entbindung von der Schweigepflicht liegt vor.",
        # document words on their own say nothing about anyone's health (issue 15)
        "Anbei die AU-Bescheinigung von Frau Weiß.",
        "Die Arbeitsunfähigkeitsbescheinigung kam per Post.",
        "Einladung zum BEM-Gespräch nach sechs Wochen.",
        "Befund bisher: Paketverlust 3 % auf der Leitung.",
        "Die Diagnose des Netzwerkproblems dauert noch.",
        "Bitte das ärztliche Attest bis Freitag einreichen.",
    ],
)
def test_ignores_ordinary_business_text(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        # the longest diagnosis wins, not "Diabetes" inside it
        ("Mein Arzt vermutet Diabetes mellitus Typ 2.", ["Diabetes mellitus Typ 2"]),
        ("Asthma bronchiale seit 2019", ["Asthma bronchiale"]),
        # the label is not the finding when a diagnosis follows it
        ("Diagnose: Long Covid\nVorstellung am 19.07.", ["Long Covid"]),
        ("Diagnose: M51.2", ["M51.2"]),
        # after "Diagnose:", unknown words are the diagnosis (1-4 words)
        ("Diagnose: Morbus Bechterew\nWeiteres folgt.", ["Morbus Bechterew"]),
        ("Diagnosis: acute lower back strain left side, follow-up", ["acute lower back strain"]),
    ],
)
def test_spans(detect: Callable[..., list], text: str, spans: list[str]) -> None:
    assert [value for _, value, _ in detect(text)] == spans


def test_label_without_a_value_is_not_a_diagnosis(detect: Callable[..., list]) -> None:
    # "keine" is no diagnosis, and the label alone is no health data (issue 15).
    assert detect("Diagnose: keine") == []


def test_icd_code_is_case_sensitive(detect: Callable[..., list]) -> None:
    assert detect("Diagnose laut Arzt: f32.1") == []


@pytest.mark.parametrize(
    ("text", "span"),
    [
        # clinical compounds the term list does not enumerate
        ("Sandra hat sich eine Knieprellung geholt.", "Knieprellung"),
        ("Er hat eine Schultereckgelenkentzündung.", "Schultereckgelenkentzündung"),
        ("Yusuf hat morgen seine Meniskus-OP.", "Meniskus-OP"),
        ("Seine Nussallergie ist schlimm geworden.", "Nussallergie"),
        ("She had a knee arthroscopy on Monday.", "knee arthroscopy"),
        ("He needs a standing desk because of a back condition.", "back condition"),
        ("Emma broke her leg skiing.", "broke her leg"),
        # lab values with their number
        ("Laborwerte meines Vaters: HbA1c 7,8 %", "HbA1c 7,8 %"),
        ("Frau Lehner, TSH 6,2", "TSH 6,2"),
        # aids, care and eyes; a yes after the heading
        ("Befund: Myopie beidseits", "Myopie"),
        ("Er bekommt eine Wechseldruckmatratze.", "Wechseldruckmatratze"),
        ("Bewerberin Mazur, Schwerbehinderung: ja, GdB 60", "Schwerbehinderung"),
        ("Ich habe seit Januar Migräneanfälle.", "Migräneanfälle"),
        # a weak term about a named subject, or after a possessive
        ("Mila hat Läuse, bitte alle Kinder kontrollieren.", "Läuse"),
        ("They rejected my claim for physiotherapy after my ACL reconstruction.", "physiotherapy"),
        # a weak term before a hyphen and a lower-case word
        ("Herr Kaya braucht einen Rollstuhl-gerechten Arbeitsplatz.", "Rollstuhl"),
    ],
)
def test_detects_compounds_lab_values_and_aids(
    detect: Callable[..., list], text: str, span: str
) -> None:
    assert span in [s for _, s, _ in detect(text)]


@pytest.mark.parametrize(
    "text",
    [
        # the same vocabulary about no one
        "Wie ist Ramipril im Vergleich zu Candesartan bei Hypertonie? Für einen Fachartikel.",
        "Summarise the evidence on statins for primary prevention in adults, with the main RCTs.",
        "Bei den meisten Rückenschmerzen gilt: in Bewegung bleiben, notfalls Schmerzmittel.",
        "Bei Sehnenscheidenentzündung sollte man zum Arzt.",
        "Die Krebsfälle steigen jedes Jahr.",
        "Die Deutsche Krebshilfe bietet Beratung an.",
        # lab-like words without a value, product codes
        "Das Modul CRP-Light wird im Q3 ausgeliefert.",
        # compounds that only end like a clinical word
        "Die Kooperation mit der Anatomie und der Spektroskopie läuft.",
        "Krebs-Vorsorge ist wichtig, sagt die Kampagne.",
    ],
)
def test_general_medical_text_stays_clean(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []
