from __future__ import annotations

import pytest

from policy.decide import decide
from policy.loader import load_policy
from proxy_addon.messages import (
    block_message,
    checker_error_message,
    describe_found,
    oversize_message,
    pick_language,
)

POLICY = load_policy().policy


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, "de"),
        ("", "de"),
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("en-US,en;q=0.9", "en"),
        ("en-GB;q=0.5,de;q=0.95", "de"),
        ("fr-FR,fr;q=0.9,en;q=0.8", "en"),
        ("fr-FR", "de"),
        ("en;q=0", "de"),
        ("en;q=abc", "de"),
    ],
)
def test_pick_language(header: str | None, lang: str) -> None:
    assert pick_language(header) == lang


def test_pick_language_default_is_configurable() -> None:
    assert pick_language("fr", default="en") == "en"


def test_block_message_german_names_types_counts_reason_and_contact() -> None:
    decision = decide(POLICY, "openai-api", None, {"personal"})
    text = block_message(
        POLICY, decision, ["IBAN_CODE", "EMAIL_ADDRESS", "EMAIL_ADDRESS"], "OpenAI API", "de"
    )
    assert "nicht an OpenAI API gesendet" in text
    assert "E-Mail-Adressen (2×) und IBAN" in text
    assert "Personenbezogene Daten" in text
    assert "kein KI-Werkzeug freigegeben" in text
    assert POLICY.contact in text


def test_block_message_english() -> None:
    decision = decide(POLICY, "anthropic-api", None, {"secrets"})
    text = block_message(POLICY, decision, ["SECRET"], "Anthropic API", "en")
    assert "was not sent to Anthropic API" in text and "credentials or keys (1×)" in text


def test_describe_found_has_no_values_only_kinds() -> None:
    assert describe_found(["PHONE_NUMBER"], "de") == "Telefonnummern (1×)"


def test_error_and_oversize_messages() -> None:
    assert "vorsorglich" in checker_error_message(POLICY, "OpenAI API", "de")
    assert "could not check" in checker_error_message(POLICY, "OpenAI API", "en")
    text = oversize_message(POLICY, "OpenAI API", 20 * 1_048_576, "de")
    assert "20.0 MB" in text and "10.0 MB" in text
