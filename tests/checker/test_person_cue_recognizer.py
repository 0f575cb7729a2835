"""PersonCueRecognizer: names from cues and the first-name list, without NER."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from checker.recognizers import PersonCueRecognizer
from checker.recognizers.person_cue_recognizer import load_first_names


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(PersonCueRecognizer())


def _spans(found: list) -> list[str]:
    return [span for _, span, _ in found]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # the examples the brief requires
        ("Sehr geehrter Herr Müller,", ["Müller"]),
        ("Frau Dr. Anna Schmidt", ["Anna Schmidt"]),
        ("Hallo Jürgen,", ["Jürgen"]),
        ("Mit freundlichen Grüßen\nKlaus Becker", ["Klaus Becker"]),
        ("Name: Petra Weiß", ["Petra Weiß"]),
        ("Dear Mr. Smith", ["Smith"]),
        # more salutations and titles
        ("Hallo Frau Özdemir, danke für Ihre Mail.", ["Özdemir"]),
        ("Sehr geehrte Frau Prof. Dr. Schneider-Weber,", ["Schneider-Weber"]),
        ("Bitte an Herrn Dr. med. Franz Huber weiterleiten.", ["Franz Huber"]),
        ("Hr. Yilmaz und Fr. Kowalski", ["Yilmaz", "Kowalski"]),
        ("Mr Brown and Mrs. Green met Ms Black.", ["Brown", "Green", "Black"]),
        ("Ansprechpartner: Dipl.-Ing. Jörg Hansen", ["Jörg Hansen"]),
        ("Frau Ursula von der Leyen", ["Ursula von der Leyen"]),
        ("Sag Herrn Müller Bescheid.", ["Müller"]),
        ("Erika Mustermann, geb. Gabler", ["Erika Mustermann", "Gabler"]),
        # greetings and introductions with a known first name
        ("Liebe Anna, lieber Paul,", ["Anna", "Paul"]),
        ("Dear John Smith,", ["John Smith"]),
        ("Ich heiße Mehmet und wohne in Köln.", ["Mehmet"]),
        ("My name is Priya Sharma.", ["Priya Sharma"]),
        ("Thanks Anna!", ["Anna"]),
        # labels and sign-offs
        ("Vorname: Petra\nNachname: Weiß", ["Petra", "Weiß"]),
        ("Von: Klaus Becker <k.becker@example.com>", ["Klaus Becker"]),
        ("Viele Grüße\n\nSabine", ["Sabine"]),
        ("Beste Grüsse\nUrs Meier", ["Urs Meier"]),
        ("Mit freundlichen Grüßen\ni.A. Thomas Wagner\nVertrieb", ["Thomas Wagner"]),
        ("Best regards,\nJohn Smith", ["John Smith"]),
        ("MfG\nDr. Stefan Braun", ["Stefan Braun"]),
        ("Liebe Grüße,\ndeine Lisa", ["Lisa"]),
        ("LG Anna", ["Anna"]),
        # known first name + surname, no cue
        ("Treffen mit Thomas Müller am Montag", ["Thomas Müller"]),
        ("Die Akte von Hans-Peter Meier-Lüdenscheidt fehlt.", ["Hans-Peter Meier-Lüdenscheidt"]),
        ("Kevin O'Brien schreibt", ["Kevin O'Brien"]),
    ],
)
def test_names_detected(detect: Callable[..., list], text: str, names: list[str]) -> None:
    found = detect(text)
    assert _spans(found) == names
    assert all(entity == "PERSON" for entity, _, _ in found)


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("Sehr geehrter Herr Müller,", 0.85),
        ("Hallo Jürgen,", 0.85),
        ("Treffen mit Thomas Müller", 0.7),
        ("Name: Leitplanke Gateway", 0.6),  # a label, but no known first name
    ],
)
def test_scores(detect: Callable[..., list], text: str, score: float) -> None:
    assert [s for _, _, s in detect(text)] == [pytest.approx(score)]


@pytest.mark.parametrize(
    "text",
    [
        "Herr der Ringe",
        "Die Rechnung ist fällig.",
        "Hallo zusammen,",
        "Hallo Team",
        "Liebe Kolleginnen und Kollegen",
        "Sehr geehrte Damen und Herren,",
        "Dear Sir or Madam, dear Hiring Manager,",
        "Hallo ChatGPT, hi Claude!",
        "Liebe Grüße\nDein Team",
        "Thanks for your help!\nBest,\nThe Acme Support Team",
        "Kind regards\nAcme GmbH",
        "Viele Grüße aus dem Urlaub!",
        "Sehr geehrter Herr Präsident,",
        "Heute hat Anna Geburtstag.",  # lone first name: low score only
        "Best Practices für Kubernetes: Pods und Services.",
        "Die Bundesrepublik Deutschland hat 16 Bundesländer.",
        "Maria Himmelfahrt ist ein Feiertag in Bayern.",
        "Max. 5 Personen",
    ],
)
def test_not_detected(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_lone_first_name_scores_low(detect: Callable[..., list]) -> None:
    found = detect("Gestern hat Paul angerufen.", threshold=0.0)
    assert found == [("PERSON", "Paul", pytest.approx(0.35))]


def test_first_name_list_is_loaded_once() -> None:
    names = load_first_names()
    assert load_first_names() is names
    assert PersonCueRecognizer().first_names is names
    assert 1000 <= len(names) <= 2000
    assert {"Jürgen", "Petra", "Klaus", "Mehmet", "John"} <= names
    # words that are also common nouns or products are left out (see the file header)
    assert not {"Mark", "Wolf", "Rose", "Heide", "Sonne", "Claude"} & names


def test_constructor_defaults() -> None:
    recognizer = PersonCueRecognizer()
    assert recognizer.supported_language == "de"
    assert recognizer.supported_entities == ["PERSON"]
