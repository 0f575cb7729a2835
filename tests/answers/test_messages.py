from __future__ import annotations

import pytest

from answers.messages import (
    block_message,
    checker_error_message,
    coach_message,
    describe_found,
    file_reason,
    oversize_message,
    pick_language,
)
from policy.decide import Decision, decide, with_unreadable, with_unscanned, with_unseen
from policy.loader import load_policy

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


@pytest.mark.parametrize("lang", ["de", "en"])
def test_a_refused_unseen_upload_says_why_not_that_the_tool_is_unapproved(lang: str) -> None:
    approved = load_policy().policy.model_copy(
        update={"tools": {}, "unlisted_ai_tools": "allow", "unscanned_files": "log"}
    )
    decision = with_unseen(decide(approved, "mistral", None, set()), 1, approved, "mistral", None)
    text = block_message(approved, decision, [], "Mistral Le Chat", lang)
    assert ("hochgeladen" if lang == "de" else "uploaded") in text
    assert "Mistral Le Chat" in text and approved.contact in text
    # a tool that is not allowed at all keeps its own message
    unlisted = POLICY.model_copy(update={"unlisted_ai_tools": "block"})
    decision = with_unseen(decide(unlisted, "mistral", None, set()), 1, unlisted, "mistral", None)
    assert "freigegeben" in block_message(unlisted, decision, [], "Mistral Le Chat", "de")


def test_describe_found_has_no_values_only_kinds() -> None:
    assert describe_found(["PHONE_NUMBER"], "de") == "Telefonnummern (1×)"


def test_error_and_oversize_messages() -> None:
    assert "vorsorglich" in checker_error_message(POLICY, "OpenAI API", "de")
    assert "could not check" in checker_error_message(POLICY, "OpenAI API", "en")
    text = oversize_message(POLICY, "OpenAI API", 20 * 1_048_576, "de")
    assert "20.0 MB" in text and "10.0 MB" in text


def test_coach_message_names_kinds_link_minutes_and_approval_page() -> None:
    decision = decide(POLICY, "openai-api", None, {"personal"})
    text = coach_message(
        POLICY,
        decision,
        ["IBAN_CODE"],
        "OpenAI API",
        "de",
        coach_link="http://leitplanke.portal/coach/T",
        minutes=15,
        approval_link="http://leitplanke.portal/approval?service=openai-api",
    )
    assert "noch nicht an OpenAI API gesendet" in text and "IBAN (Bankverbindung) (1×)" in text
    assert "http://leitplanke.portal/coach/T" in text and "15 Minuten" in text
    assert "http://leitplanke.portal/approval?service=openai-api" in text
    english = coach_message(
        POLICY,
        decision,
        ["IBAN_CODE"],
        "OpenAI API",
        "en",
        coach_link="L",
        minutes=5,
    )
    assert "within 5 minutes" in english and POLICY.contact in english


def test_coach_message_for_using_a_tool() -> None:
    decision = decide(POLICY, "openai-api", None, set())
    text = coach_message(POLICY, decision, [], "X", "de", coach_link="L", minutes=15)
    assert "nicht als KI-Werkzeug freigegeben" in text and "L" in text


def test_approval_page_is_the_first_link_and_the_policys_address_the_second() -> None:
    decision = decide(POLICY, "openai-api", None, {"personal"})
    link = "http://leitplanke.portal/approval?service=openai-api"
    text = block_message(POLICY, decision, ["IBAN_CODE"], "OpenAI API", "de", link)
    assert text.endswith(f"Neues KI-Werkzeug beantragen: {link}")  # no second link
    own = POLICY.model_copy(update={"approval_request": "https://intranet.example/ki"})
    text = block_message(own, decision, ["IBAN_CODE"], "OpenAI API", "de", link)
    assert text.endswith(f"beantragen: {link} (Hinweise zum Antrag: https://intranet.example/ki)")
    english = block_message(own, decision, ["IBAN_CODE"], "OpenAI API", "en", link)
    assert english.endswith(f"AI tool: {link} (about requests: https://intranet.example/ki)")
    coached = coach_message(
        own,
        decision,
        ["IBAN_CODE"],
        "OpenAI API",
        "de",
        coach_link="L",
        minutes=5,
        approval_link=link,
    )
    assert coached.index(link) < coached.index("https://intranet.example/ki")
    # Without a portal the policy's address is the one link, else the contact.
    assert block_message(own, decision, ["IBAN_CODE"], "X", "de", None).endswith(
        "beantragen: https://intranet.example/ki"
    )
    assert block_message(POLICY, decision, ["IBAN_CODE"], "X", "de", None).endswith(
        f"beantragen: {POLICY.contact}"
    )


# ---- files that could not be checked completely --------------------------------------


def _file_decision(whys: list[str], service: str = "openai-api", **policy: object):  # type: ignore[no-untyped-def]
    active = POLICY.model_copy(update=policy)
    return with_unscanned(
        with_unreadable(decide(active, service, None, ()), whys, active, service, None),
        0,
        active,
    )


@pytest.mark.parametrize(
    ("whys", "lang", "expected"),
    [
        (
            ["encrypted"],
            "de",
            "Eine angehängte Datei konnte nicht vollständig geprüft werden: "
            "sie ist verschlüsselt oder kennwortgeschützt.",
        ),
        (
            ["too_many_members"],
            "en",
            "An attached file could not be checked completely: the archive holds too many files.",
        ),
        # the most specific reason explains it: a slice is what made it unreadable
        (["corrupt", "part_of_file"], "de", "in Teilen hochgeladen"),
        (["too_large", "too_many_pages"], "en", "more pages than are checked"),
        (["inflates_too_much"], "de", "Vielfaches seiner Größe"),
        (["unknown_format"], "en", "archive or compression format cannot be read"),
    ],
)
def test_unreadable_file_message_explains_why_without_a_file_name(
    whys: list[str], lang: str, expected: str
) -> None:
    decision = _file_decision(whys)
    assert file_reason(decision) is not None
    text = block_message(POLICY, decision, [], "OpenAI API", lang)
    assert expected in text
    assert POLICY.contact in text


def test_image_blocked_by_unscanned_files_is_explained() -> None:
    active = POLICY.model_copy(update={"unscanned_files": "block"})
    decision = with_unscanned(decide(active, "openai-api", None, ()), 1, active)
    assert file_reason(decision) == "unscanned"
    text = block_message(active, decision, [], "OpenAI API", "de")
    assert "Bilder und Dateien dieses Typs kann Leitplanke nicht lesen" in text


def test_data_found_or_the_tool_itself_take_precedence_over_the_file() -> None:
    found = with_unreadable(
        decide(POLICY, "openai-api", None, {"personal"}), ["encrypted"], POLICY, "openai-api", None
    )
    assert file_reason(found) is None
    assert "Personenbezogene Daten" in block_message(POLICY, found, ["IBAN_CODE"], "X", "de")
    tool = Decision(
        "block",
        ("tool_unapproved:block", "unreadable_file:corrupt:block"),
        (),
        "t",
        "unapproved",
        (),
    )
    assert file_reason(tool) is None


def test_coaching_an_unreadable_file() -> None:
    decision = _file_decision(["encrypted"])
    text = coach_message(
        POLICY, decision, [], "OpenAI API", "en", coach_link="http://portal/c/abc", minutes=10
    )
    assert "could not be checked completely: it is encrypted" in text
    assert "http://portal/c/abc" in text
