"""table_columns: cells of CSV-like tables in plain text, found by their header."""

from __future__ import annotations

import pytest

from checker.recognizers.table_columns import (
    column_header,
    column_spans,
    normalize_header,
    parse_tables,
    split_cells,
)


def _cells(text: str, headers: list[str], unless: tuple[str, ...] = ()) -> list[str]:
    return [text[start:end] for start, end in column_spans(text, headers, unless_headers=unless)]


@pytest.mark.parametrize(
    ("text", "headers", "cells"),
    [
        # ; , and tab separators
        ("Nr;Vorname;Nachname\n1;Anna;Weber\n2;Max;Müller\n", ["Vorname"], ["Anna", "Max"]),
        ("id,first_name,last_name\n11,Katrin,Papadopoulos\n", ["last_name"], ["Papadopoulos"]),
        ("Name\tGeburtsdatum\nAnna Weber\t03.04.1985\n", ["geburtsdatum"], ["03.04.1985"]),
        # quoted cells may hold the separator and escaped quotes
        ('Name,Ort\n"Rossi, Lukas",Köln\n', ["Name"], ["Rossi, Lukas"]),
        ('Name;Ort\n"Anna ""Anni"" Weber";Wien\n', ["name"], ['Anna ""Anni"" Weber']),
        ('"Name","DOB"\n"Anna Weber","1985-04-03"\n', ["dob"], ["1985-04-03"]),
        # padding is not part of the cell; empty cells are skipped
        ("Name ; Ort\n  Anna Weber ; Köln\n ; Bonn\n", ["Name"], ["Anna Weber"]),
        # header names: case, spaces and a trailing colon do not matter
        ("First Name,Last Name:\nJohn,Smith\n", ["first_name", "LAST NAME"], ["John", "Smith"]),
        # data rows with fewer cells than the header
        ("Nr;Ort;Name\n1;Köln\n2;Bonn;Anna Weber\n", ["Name"], ["Anna Weber"]),
        # a header without data rows is no table
        ("Vorname;Nachname\n\nAnna Weber ist neu.", ["Vorname", "Nachname"], []),
        ("Vorname;Nachname", ["Vorname"], []),
        # a blank line or a line without the separator ends the table
        ("Vorname;Nachname\nAnna;Weber\n\nMax;Müller\n", ["Vorname"], ["Anna"]),
        ("Vorname;Nachname\nAnna;Weber\nDanke!\nMax;Müller\n", ["Vorname"], ["Anna"]),
        # tables further down the text, CRLF line breaks
        ("Hallo,\r\nhier die Liste:\r\nName;Tel\r\nAnna;123\r\n", ["name"], ["Anna"]),
        # no matching header, or prose with commas
        ("Artikel;Preis\nSchraube;0,10\n", ["Name"], []),
        ("Hallo Anna, wie geht es dir, alles gut?\nJa, danke, gut.", ["name"], []),
    ],
)
def test_column_spans(text: str, headers: list[str], cells: list[str]) -> None:
    assert _cells(text, headers) == cells


def test_unless_headers_skip_the_table() -> None:
    text = "Name;Artikel;Preis\nGateway Pro;A-1;19,99\n\nName;Ort\nAnna Weber;Köln\n"
    assert _cells(text, ["name"], unless=("Artikel", "Preis")) == ["Anna Weber"]


def test_spans_point_into_the_text() -> None:
    text = 'Liste:\nName,Ort\n"Anna Weber",Köln\nMax Müller,Bonn\n'
    spans = column_spans(text, ["name"])
    assert [text[s:e] for s, e in spans] == ["Anna Weber", "Max Müller"]
    assert spans == sorted(spans)


def test_parse_tables_keeps_header_and_rows() -> None:
    (table,) = parse_tables("a;b\n1;2\n3;4\n")
    assert table.header_keys() == ["a", "b"]
    assert [[c.text for c in row] for row in table.rows] == [["1", "2"], ["3", "4"]]


@pytest.mark.parametrize(
    ("raw", "key"),
    [(" Geb.-Datum: ", "geb.-datum"), ("First Name", "first_name"), ('"DOB"', "dob")],
)
def test_normalize_header(raw: str, key: str) -> None:
    assert normalize_header(raw) == key


def test_split_cells_offsets() -> None:
    cells = split_cells('x;"a;b" ; c', 10, ";")
    assert [(c.text, c.start, c.end) for c in cells] == [
        ("x", 10, 11),
        ("a;b", 13, 16),
        ("c", 20, 21),
    ]


@pytest.mark.parametrize(
    ("text", "needle", "header"),
    [
        ("host;last_ip;user\nsrv1;10.1.2.3;anna\nsrv2;10.9.8.7;ben", "10.9.8.7", "last_ip"),
        ("| Name | IP |\n|---|---|\n| srv1 | 10.1.2.3 |", "10.1.2.3", "IP"),
        ("Bestellung;Menge;Preis\nA-B 12;3;4,50 €\nK-L 7;1;9,99 €", "K-L 7", "Bestellung"),
        ("Kein Tisch hier, nur Prosa mit 10.1.2.3 darin.", "10.1.2.3", ""),
    ],
)
def test_column_header(text: str, needle: str, header: str) -> None:
    assert column_header(text, text.index(needle)) == header
