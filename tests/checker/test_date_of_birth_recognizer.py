"""DateOfBirthRecognizer: calendar dates, gated by whole-word birth cues."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from checker.recognizers import DateOfBirthRecognizer
from checker.recognizers.date_of_birth_recognizer import parse_dates

NEXT_YEAR = datetime.date.today().year + 1


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(DateOfBirthRecognizer())


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("geboren am 03.04.1985 in Köln", "03.04.1985"),
        ("Geburtsdatum: 3.4.85", "3.4.85"),
        ("Geb.-Datum 03.04.1985", "03.04.1985"),
        ("geb. 03.04.1985", "03.04.1985"),
        ("Geburtstag: 12.05.1979", "12.05.1979"),
        ("Max Mustermann (*18.03.1990)", "18.03.1990"),
        ("*18.03.1990 in Wien", "18.03.1990"),
        ("03.04.1985 geboren", "03.04.1985"),
        ("03.04.1985 (Geburtsdatum)", "03.04.1985"),
        ("geboren am 3. April 1985", "3. April 1985"),
        ("geboren am 3. Jänner 1985", "3. Jänner 1985"),
        ("Geburtsdatum 1985-04-03", "1985-04-03"),
        ("DOB 1985-04-03", "1985-04-03"),
        ("Date of birth: 03/04/1985", "03/04/1985"),
        ("birthday 04/25/1985", "04/25/1985"),  # US order
        ("born April 3, 1985", "April 3, 1985"),
        ("She was born on the 3rd of April 1985", "3rd of April 1985"),
        ("Eintritt 01.02.2010, geboren am 03.04.1985", "03.04.1985"),
        ("Die Patientin ist am 03.04.1985 in Graz geboren.", "03.04.1985"),
    ],
)
def test_dates_with_birth_cue(detect: Callable[..., list], text: str, date: str) -> None:
    assert detect(text) == [("DATE_OF_BIRTH", date, pytest.approx(0.65))]


def test_cue_counts_for_the_nearest_date_only(detect: Callable[..., list]) -> None:
    text = "geboren am 03.04.1985, eingestellt am 01.02.2010 (Personalakte)"
    assert [span for _, span, _ in detect(text)] == ["03.04.1985"]


# A table whose header names the birth-date column: every date in that column counts,
# however far the header is from the row.
_ROWS = "".join(f'"Person {i}",0{i}.04.1985,Köln\n' for i in range(1, 8))


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        (
            'Name,Geburtsdatum,IBAN\n"Lukas Rossi",25.8.1967,DE59\n"Ute Arnim",9.5.1970,DE63',
            ["25.8.1967", "9.5.1970"],
        ),
        ("Nr;Name;Geb.-Datum;Eintritt\n1;Anna Weber;03.04.1985;01.02.2010", ["03.04.1985"]),
        ("id\tname\tdate_of_birth\n7\tJohn Smith\t1985-04-03", ["1985-04-03"]),
        ("name,birthdate,city\nJohn Smith,04/25/1985,Leeds", ["04/25/1985"]),
        ("Name;geboren;Ort\nAnna Weber;3. April 1985;Graz", ["3. April 1985"]),
        ("Name,DOB,Ort\n" + _ROWS, [f"0{i}.04.1985" for i in range(1, 8)]),
        # SQL INSERT: the column list says which value is the birth date
        (
            "INSERT INTO ma (nr, name, geb_datum, eintritt) VALUES\n"
            "(1, 'Schwarz', '1979-03-30', '2010-02-01'),\n"
            "(2, 'Nowak', '1992-10-08', '2019-05-01');",
            ["1979-03-30", "1992-10-08"],
        ),
    ],
)
def test_dates_in_a_birth_date_column(
    detect: Callable[..., list], text: str, dates: list[str]
) -> None:
    assert [span for _, span, _ in detect(text)] == dates


@pytest.mark.parametrize(
    "text",
    [
        "Name;Eintritt;Ort\nAnna Weber;03.04.1985;Köln",  # another date column
        "Datum;Betrag;Verwendungszweck\n01.02.2020;100,00;Miete",
        # a header without data rows; the cue is too far from the later date
        "Geburtsdatum;Name\n\nDie Tabelle bitte bis Freitag ausfüllen, danach geht sie an HR."
        " Stand 03.04.2024",
        "Summe 3,14.5.2020",  # a comma after a digit is no cell separator
        "INSERT INTO orders (id, customer, order_date) VALUES (1, 'ACME', '2024-03-30');",
    ],
)
def test_other_table_dates_are_no_birth_dates(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_a_date_alone_stays_below_threshold(detect: Callable[..., list]) -> None:
    text = "Stand 03.04.1985"
    assert detect(text) == []
    assert detect(text, threshold=0.0) == [("DATE_OF_BIRTH", "03.04.1985", pytest.approx(0.3))]


@pytest.mark.parametrize(
    "text",
    [
        # dates without a birth cue
        "Rechnung vom 03.04.2024",
        "Termin am 12.05.2025",
        "Lieferung bis 1.1.2026",
        "Stichtag 2024-01-15",
        "Meeting on April 3, 2024",
        "Geburtstagsfeier am 03.04.2024",  # no whole-word cue
        # the cue is too far away or belongs to another date
        "geboren ist er, das wissen wir alle seit Jahren, und die Rechnung kam am 03.04.2024",
        "Frau Anna Schmidt, geb. Müller, Eintritt 01.02.1990",  # "geb." = maiden name
        # impossible or implausible dates
        "geboren am 31.02.1985",
        "geboren am 03.04.1899",
        f"geboren am 03.04.{NEXT_YEAR}",
        f"Geburtstermin (errechnet) born {NEXT_YEAR}-01-01",
        "geboren am 13/13/1985",
        # versions, sections, longer dotted numbers
        "Version 1.2.1985 ist geboren",
        "geboren 1.2.3.1985",
        "Geburtsdatum: 1234567",
        # another kind of date, labelled, next to a birth cue
        "Alter aus dem Geburtsdatum in Spalte C berechnen, Stichtag 31.12.2025",
        "Geburtsdatum prüfen, Frist: 15.01.2026",
    ],
)
def test_not_dates_of_birth(detect: Callable[..., list], text: str) -> None:
    assert [r for r in detect(text) if r[0] == "DATE_OF_BIRTH"] == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("03.04.1985", [datetime.date(1985, 4, 3)]),
        ("3.4.85", [datetime.date(1985, 4, 3)]),
        ("1.1.15", [datetime.date(2015, 1, 1)]),
        ("1985-04-03", [datetime.date(1985, 4, 3)]),
        ("03/04/1985", [datetime.date(1985, 4, 3), datetime.date(1985, 3, 4)]),
        ("3. März 1985", [datetime.date(1985, 3, 3)]),
        ("Dec. 24th, 1970", [datetime.date(1970, 12, 24)]),
        ("30.02.1985", []),
    ],
)
def test_parse_dates(value: str, expected: list[datetime.date]) -> None:
    assert parse_dates(value, today=datetime.date(2026, 1, 1)) == expected


def test_recognizer_defaults() -> None:
    recognizer = DateOfBirthRecognizer()
    assert recognizer.supported_language == "de"
    assert recognizer.supported_entities == ["DATE_OF_BIRTH"]
