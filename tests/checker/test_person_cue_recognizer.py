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
        # phrases that name a person; an unknown first name needs a surname after it
        ("Hallo zusammen,\n\nhier schreibt Ursina Koch, Kundennummer 4711", ["Ursina Koch"]),
        ("Die Vertretung übernimmt Can Köhler.", ["Can Köhler"]),
        ("Schreib eine Antwort an Chen Wolf (c.wolf@example.com).", ["Chen Wolf"]),
        ("Rückmeldung von Dragana Ilić steht noch aus.", ["Dragana Ilić"]),
        ("Termin mit Kwame Mensah am Dienstag", ["Kwame Mensah"]),
        ("Gespräch mit Yusuf heute", ["Yusuf"]),
        ("Meine Kollegin Ursina meldet sich.", ["Ursina"]),
        ("Kontoinhaber: Ursina Aydın", ["Ursina Aydın"]),
        ("Patient: Can Johnson, geb. 06.01.1954", ["Can Johnson"]),
        ("Rechnungsempfänger:\nCan Meier\nLindenweg 8", ["Can Meier"]),
        ("Draft a message to Chen Schulze-Berndt", ["Chen Schulze-Berndt"]),
        ("my name is Can Gruber and I was charged twice", ["Can Gruber"]),
        ("Summarize: Can Nguyen called from the office.", ["Can Nguyen"]),
        # sign-offs
        ("Bitte rufen Sie zurück.\n\nDanke und Gruß\nUrsina", ["Ursina"]),
        ("Danke & Gruß\nHolger", ["Holger"]),
        ("You can reach me at 040/470397.\n\nThanks,\nCan", ["Can"]),
        ("Viele Grüße, Chen", ["Chen"]),
        ("Das wäre super.\n\nLG Xin", ["Xin"]),
        # a lone first name counts when the text names that person in full
        ("Fasse zusammen: Thomas (Thomas Brunner) hat angerufen.", ["Thomas", "Thomas Brunner"]),
        # CSV-like tables: the header says which columns hold names
        (
            "Kundennr;Vorname;Nachname;Ort\nKD-1;Sabine;Moser;Berlin\nKD-2;Chen;Wolf;Zürich",
            ["Sabine", "Moser", "Chen", "Wolf"],
        ),
        (
            "id,first_name,last_name,email\n11,Katrin,Papadopoulos,k.p@example.com",
            ["Katrin", "Papadopoulos"],
        ),
        (
            'Name,Geburtsdatum\n"Lukas Rossi",25.8.1967\n"Ute von Arnim",9.5.1970',
            ["Lukas Rossi", "Ute von Arnim"],
        ),
        (
            "Mitarbeiter\tAbteilung\nJames von Arnim\tIT\nPiotr Lehmann\tHR",
            ["James von Arnim", "Piotr Lehmann"],
        ),
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
        ("Thomas Müller hat angerufen", 0.7),
        ("Treffen mit Thomas Müller", 0.85),  # "Treffen mit" names a person
        ("Name: Leitplanke Gateway", 0.6),  # a label, but no known first name
        ("Vorname;Nachname\nXaver;Brunnhuber", [0.85, 0.85]),  # a person column
        ("Name;Ort\nAnna Kowalczyk;Köln", 0.85),  # a "Name" column, known first name
        ("Name;Ort\nQuolin Brennecke;Köln", 0.6),  # a "Name" column, unknown first name
        ("hier schreibt Quolin Brennecke", 0.6),  # unknown first name + surname
    ],
)
def test_scores(detect: Callable[..., list], text: str, score: float | list[float]) -> None:
    scores = score if isinstance(score, list) else [score]
    assert [s for _, _, s in detect(text)] == [pytest.approx(s) for s in scores]


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
        "Best Practices für Kubernetes: Pods und Services.",
        "Die Bundesrepublik Deutschland hat 16 Bundesländer.",
        "Maria Himmelfahrt ist ein Feiertag in Bayern.",
        "Max. 5 Personen",
        # phrases that may name a person, followed by nouns
        "Termin mit Vertrieb am Montag",
        "Termin mit Steuerberater Schmidt vereinbaren",  # a role, and "Schmidt" alone
        "Die Projektleitung übernimmt Abteilung Nord.",
        "Gespräch mit Geschäftsführung und Betriebsrat",
        "hier schreibt Ihre Hausverwaltung",
        "Rückmeldung von Kunden erwünscht.",
        "Meeting with Product Owners tomorrow",
        # ambiguous first names as words
        "Can you help me with this?",
        "Can Siemens deliver by Friday?",
        "How We Can Help You",
        "VG Team Nord",
        # tables of products or companies: a "Name"/"Kunde" column is no person there
        "Name;Artikel;Preis;Menge\nLeitplanke Gateway;A-100;19,99;2\nSchraube Edelstahl;B-7;0,10;1",
        "name,sku,price\nWidget Pro,W-1,9.99\nGadget Max,G-2,19.99",
        "Kunde;Umsatz;Region\nMüller GmbH;12000;Süd\nSchmidt AG;5000;Nord",
        "Vorname;Nachname\n\nDie Spalten bitte ausfüllen.",  # header without data
    ],
)
def test_not_detected(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_lone_first_name_counts(detect: Callable[..., list]) -> None:
    # issue 15: a bare first name is a person ("Jan hat seit …"); the curated list is
    # free of common words, so a lone name from it scores above the threshold
    assert detect("Gestern hat Paul angerufen.") == [("PERSON", "Paul", pytest.approx(0.6))]
    assert detect("Heute hat Anna Geburtstag.") == [("PERSON", "Anna", pytest.approx(0.6))]


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
