"""standalone.is_standalone: the whole message, line or table cell — and not after the
label or under the header of another kind of number."""

from __future__ import annotations

import pytest

from checker.recognizers.standalone import is_standalone, other_number_label_before

V = "A123456780"


def _at(text: str, value: str = V) -> tuple[str, int, int]:
    start = text.index(value)
    return text, start, start + len(value)


@pytest.mark.parametrize(
    "text",
    [
        V,
        f"  {V}  ",
        f"{V}.",
        f'"{V}"',
        f"({V})",
        f"Hallo,\n{V}\nDanke",
        f"- {V}",
        f"* {V}",
        f"2) {V}",
        f"Name;Nummer\nWeber;{V}\n",
        f"Pos;Wert\n1;{V}\n2;B987654320\n",
        f"| Name | Nummer |\n|---|---|\n| Weber | {V} |\n",
        f"Name\tNummer\nWeber\t{V}\n",
        f"{V};Weber\nB987654320;Koch\n",  # no header: the first row counts as a row
    ],
)
def test_alone(text: str) -> None:
    assert is_standalone(*_at(text))


@pytest.mark.parametrize(
    "text",
    [
        f"Bitte {V} prüfen.",
        f"Nummer: {V}",
        f"{V} ist die Nummer",
        f"Hi, {V}, danke",
        f"Artikelnummer;Menge\n{V};3\n",  # the header names another kind of number
        f"Pos;SKU\n1;{V}\n",
        f"Bestell-Nr.;Datum\n{V};2024\n",
        f"Name;Nummer\nWeber;{V} (alt)\n",  # the cell holds more
    ],
)
def test_not_alone(text: str) -> None:
    assert not is_standalone(*_at(text))


@pytest.mark.parametrize(
    ("label", "other"),
    [
        ("Artikelnummer ", True),
        ("Art.-Nr. ", True),
        ("Rechnungsnummer: ", True),
        ("Bestellnr.: ", True),
        ("SKU #", True),
        ("Order No. ", True),
        ("Privatadresse ", False),
        ("Sachbearbeiter ", False),  # "Sach-" alone is no label
        ("Teilnehmer ", False),
        ("Partner ", False),
    ],
)
def test_labels_of_other_numbers(label: str, other: bool) -> None:
    text = label + V
    assert other_number_label_before(text, len(label)) is other
