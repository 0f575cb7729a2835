from __future__ import annotations

import pytest

from checker.language import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Sehr geehrte Frau Weiß, anbei die Rechnung für den Monat November.", "de"),
        ("Kannst du mir bitte eine Antwort an den Kunden schreiben?", "de"),
        ("Dear Mr Smith, please find the invoice for November attached.", "en"),
        ("Can you write a reply to the customer about the late delivery?", "en"),
        ("Übersetze ins Englische: the machine ships in week 12 and we are sorry.", "en"),
        ("Bitte übersetzen: Wir liefern die Maschine in KW 12, sorry.", "de"),
        ("", "de"),
        ("12345 67890", "de"),
        ("SELECT * FROM orders WHERE id = 7", "en"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_default_applies_when_undecided() -> None:
    assert detect_language("IBAN DE89", default="en") == "en"
