"""PERSON without a cue word: name lists, chat, transcripts, lists, fields (issue 15).

Table-driven: positives, negatives and hard negatives (names that are nouns, brands,
institutions, places, product models, technical strings). All names are fictitious.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from checker.recognizers import PersonCueRecognizer
from checker.recognizers.name_lexicon import ascii_fold, name_lexicon


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(PersonCueRecognizer())


def _names(found: list) -> list[str]:
    return [span for entity, span, _ in found if entity == "PERSON"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a known first name on its own, with or without a verb
        ("Jonas hat gestern gekündigt, wie formuliere ich das?", ["Jonas"]),
        ("Tom said the client is unhappy.", ["Tom"]),
        ("Kannst du eine Karte für Renate schreiben?", ["Renate"]),
        # surnames alone need a verb or an addressing word
        ("Fass zusammen: Kowalczyk hat im Call gesagt, dass es später wird.", ["Kowalczyk"]),
        ("- Okafor to update the risk register", ["Okafor"]),
        # lower-case chat names next to a verb or preposition
        ("kannst du markus fragen ob er morgen kann", ["markus"]),
        ("ich hab mit timo telefoniert", ["timo"]),
        # unknown first name + known surname; East Asian order
        ("Răzvan Popescu prüft die Lizenzen.", ["Răzvan Popescu"]),
        ("Nguyen Van Minh aus der Nachtschicht hat angerufen.", ["Nguyen Van Minh"]),
        # surname first, initials
        ("Telefonliste\nMeyer, Cemil  0171 2345678", ["Meyer, Cemil"]),
        ("MÜLLER-ŞAHİN, DERYA – Berlin", ["MÜLLER-ŞAHİN, DERYA"]),
        ("Gruß\nT. Albers", ["T. Albers"]),
        ("Protokoll: Lukas W. übernimmt.", ["Lukas W."]),
        # speaker labels; homograph surnames only in a transcript
        (
            "Hoffmann: Die Zahlen stimmen nicht.\nÖzdemir: Das liegt an der Inventur.",
            ["Hoffmann", "Özdemir"],
        ),
        ("Lang: Wer macht das Protokoll?\nFuchs: Ich.\nLang: Danke!", ["Lang", "Fuchs", "Lang"]),
        ("[00:01:12] Sabine Voigt: Guten Morgen zusammen.", ["Sabine Voigt"]),
        ("K.-H. Wolf: Das Budget gibt das nicht her.", ["K.-H. Wolf"]),
        # lists after a list label
        (
            "Anwesend: Baumgartner, Schäfer, Demir, Kraus",
            ["Baumgartner", "Schäfer", "Demir", "Kraus"],
        ),
        # a surname again after the full name
        (
            "Teilnehmer: Răzvan Popescu (IT)\nErgebnis: Popescu prüft.",
            ["Răzvan Popescu", "Popescu"],
        ),
        # structured fields
        ('{"first_name": "Olga", "last_name": "Ivanova"}', ["Olga", "Ivanova"]),
        (
            "SELECT * FROM kunden WHERE nachname = 'Kaminski' AND vorname = 'Ewa';",
            ["Kaminski", "Ewa"],
        ),
        (
            "INSERT INTO mitarbeiter (id, vorname, nachname) VALUES (17, 'Jürgen', 'Pfeiffer');",
            ["Jürgen", "Pfeiffer"],
        ),
        (
            "BEGIN:VCARD\nN:Brennan;Aoife;;;\nFN:Aoife Brennan\nEND:VCARD",
            ["Brennan", "Aoife", "Aoife Brennan"],
        ),
        ("NAME: ÇELIK\nVORNAMEN: MERVE", ["ÇELIK", "MERVE"]),
        # diacritics typed without them
        ("Dabrowski hat den Antrag gestellt.", ["Dabrowski"]),
    ],
)
def test_names_without_a_cue(detect: Callable[..., list], text: str, names: list[str]) -> None:
    assert _names(detect(text)) == names


@pytest.mark.parametrize(
    "text",
    [
        # nouns that are also surnames, used as nouns
        "Der Koch in unserer Kantine hat gekündigt.",
        "Im Winter ist die Halle zu kalt.",
        "Der Bauer liefert dienstags, der Fuchs hat zwei Hühner geholt.",
        "Antrag von Vogel auf Versetzung",  # a homograph surname alone stays out
        # brands, institutions, historic persons
        "Wir vergleichen Müller Milch und Dr. Oetker als Lieferanten.",
        "Verbandsmaterial bei Hartmann, Desinfektion bei B. Braun bestellen.",
        "Gibt es Zahlen vom Robert Koch-Institut?",
        "Das Max-Planck-Institut bietet eine Kooperation an.",
        "Schreib ein Zitat von Goethe für die Einladung.",
        "Bohrhämmer von Bosch und Hilti vergleichen",
        # places, halls, product models, technical strings
        "Lieferung an Lager, Halle 20, Tor 14.",
        "Unser neues Lüftungsgerät Vento 350 spart Strom.",
        "Unsere Niederlassungen in Essen und Achern melden mehr Umsatz.",
        "Mein Passwort lautet Elbe#Hafen1987, ist das sicher?",
        "Please review this Python module and the Jenkins plugin.",
        "single sign-on with Azure AD and Okta",
        # form labels and chat exports of departments
        "Support: Ticket 44812 ist gelöst.\nVertrieb: Danke!\nSupport: Gerne.",
        "Betreff: Angebot\nDatum: 12.03.\nOrt: Halle 3",
        # lower-case words that are no names, and English words
        "Summarise the pros and cons of a four-day week.",
        "Will you send the report? Mark the date.",
    ],
)
def test_no_person(detect: Callable[..., list], text: str) -> None:
    assert _names(detect(text)) == []


def test_but_a_salutation_makes_an_eponym_a_person(detect: Callable[..., list]) -> None:
    assert _names(detect("Frau Hartmann hat angerufen.")) == ["Hartmann"]


def test_lexicon_marks_homographs_and_folds_diacritics() -> None:
    lex = name_lexicon()
    assert {"Koch", "Vogel", "Fuchs"} <= lex.homographs
    assert lex.is_surname("Kowalczyk") and not lex.is_surname("Koch")
    assert lex.is_first("Małgorzata") and lex.is_first("Ayşe") and lex.is_first("Ayse")
    assert lex.is_surname("Yilmaz") and lex.is_surname("Yılmaz")
    assert ascii_fold("Ðorđević") == "Dordevic"
    assert not lex.knows("Halle") and not lex.knows("Berlin")


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # lower case after a salutation, also homograph surnames there
        ("hallo herr kaczmarek, die paletten sind falsch", ["kaczmarek"]),
        ("schreib frau nguyen und hr. bauer aus dem einkauf", ["nguyen", "bauer"]),
        # lower-case initials and the surname again
        (
            "attendees: j. morrison, k. patel\n- patel to send the budget",
            ["j. morrison", "k. patel", "patel"],
        ),
        ("bitte freundlicher. gruß t. reuter", ["t. reuter"]),
        ("die zettel von kasia und mateusz fehlen", ["kasia", "mateusz"]),
        # a role noun before a known name, homographs too
        ("Unser Nachbar Koch und der Mieter Nowak", ["Koch", "Nowak"]),
        ("Our client Fischer wants a call.", ["Fischer"]),
        ("Gutschrift für den Kunden Frank Heller, er hat bezahlt", ["Frank Heller"]),
        # surname-first before a colon, a comma or in quotes
        ("Meyer, Cemil: 07.07.–18.07.\nBrandt, Leonie: 14.07.", ["Meyer, Cemil", "Brandt, Leonie"]),
        ("- Lorenz, Maja, KVNR fehlt", ["Lorenz, Maja"]),
        ("10:30 Schröder, Ilse, geb. 12.05.1944", ["Schröder, Ilse"]),
        ('Aus "Maier, Johann" soll der Vorname werden', ["Maier, Johann"]),
        # ALL-CAPS speakers in an interview
        ("INT: Seit wann?\nKOWALCZYK: Seit 2011.", ["KOWALCZYK"]),
        # a known first name + a surname that looks foreign; Vietnamese order
        (
            "Neu sind Kacper Zieliński und Marianna Kostova.",
            ["Kacper Zieliński", "Marianna Kostova"],
        ),
        ("Unsere Kollegin Trần Thị Lan fängt an.", ["Trần Thị Lan"]),
        # a person field or column beats a brand of the same name
        ("vorname | nachname\nHeinz   | Bröckel", ["Heinz", "Bröckel"]),
        (
            "INSERT INTO mitarbeiter (nr, name, vorname) VALUES (1, 'Schwarz', 'Oliver');",
            ["Schwarz", "Oliver"],
        ),
        # prose with commas before a CSV header is no header
        (
            'Import (columns: Name, Company, Email, Mobile, notes):\n"First Name","Last Name"\n'
            '"Graham","Whitmore"',
            ["Graham", "Whitmore"],
        ),
    ],
)
def test_names_in_lower_case_lists_and_fields(
    detect: Callable[..., list], text: str, names: list[str]
) -> None:
    assert _names(detect(text)) == names


@pytest.mark.parametrize(
    "text",
    [
        "meine frau weiß das noch nicht",  # a wife, not a salutation
        "der herr mit dem hut",
        "Mail an k.becker@example.com und /home/patel/bin",
        "INFO: job started\nWARN: disk full\nERROR: backup failed",
        "Übrigens, Danke, Anna hat recht",  # no surname before the comma
        "Die Rechnung von Bäckerei Brandstätter und Schreinerei Holzapfel ist da.",
        "Das Hotel in Vienna will die Ausweisnummer.",
        "Ist das eine normale Dosis?",
        "Der Kunde Fischer Elektrotechnik zahlt nicht, der Kunde Bosch schon.",
        "Die Kunden Montag und Dienstag",
    ],
)
def test_no_person_in_lower_case_or_firm_names(detect: Callable[..., list], text: str) -> None:
    found = _names(detect(text))
    assert found in ([], ["Anna"]), found


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "Empfang     Schulz      -100\nEinkauf     Wójcik      -214\n"
            "Vertrieb    Lindemann   -230\nLager       Krüger      -240",
            ["Schulz", "Wójcik", "Lindemann", "Krüger"],
        ),
        (
            "Lena Vogel\tFrüh\tSpät\nDariusz Nowak\tSpät\tfrei\nFatma Kılıç\tNacht\tNacht",
            ["Lena Vogel", "Dariusz Nowak", "Fatma Kılıç"],
        ),
    ],
)
def test_names_in_aligned_columns(detect: Callable[..., list], text: str, names: list[str]) -> None:
    assert _names(detect(text)) == names


@pytest.mark.parametrize(
    "text",
    [
        "Standort    Umsatz   Plan\nBerlin      120      100\nHamburg     90       95\n"
        "München     140      130",
        "Artikel       Preis\nVento 350     120\nHalle Pro     90\nWinter Set    30",
        "Abteilung     Raum\nEinkauf       B12\nVertrieb      B14\nLager         C01",
    ],
)
def test_columns_of_places_products_departments(detect: Callable[..., list], text: str) -> None:
    assert _names(detect(text)) == []
