"""Stored codes in the reader's language: recognizer names, excerpt lengths, and a
justification linked to its decision (m014) with its false-alarm flag."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from checker.engine import builtin_recognizers
from checker.masking import mask
from review.labels import Labels
from review.pages import finding_page
from review.texts import LANGUAGES
from store.findings_store import FindingsStore
from store.records import CoachingRecord, DecisionRecord, FindingRecord
from tests.records import openai_decision

RECOGNIZERS = sorted({r.name for r in builtin_recognizers("de")} | {"SpacyRecognizer"})


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", RECOGNIZERS)
def test_every_recognizer_has_words(lang: str, name: str) -> None:
    words = Labels(lang).recognizer(name)
    assert words and "Recognizer" not in words, words


@pytest.mark.parametrize(
    ("lang", "name", "expected"),
    [
        ("de", "IbanRecognizer", "IBAN-Muster mit Prüfziffer"),
        ("en", "IbanRecognizer", "IBAN pattern with check digits"),
        ("de", "policy_terms:confidential", "Begriffsliste der Richtlinie (confidential)"),
        ("en", "policy_patterns:customers", "policy pattern (customers)"),
        ("de", "NewRecognizer", "Erkenner „NewRecognizer“"),  # a later one: named, not lost
        ("de", None, ""),
    ],
)
def test_recognizer_words(lang: str, name: str | None, expected: str) -> None:
    assert Labels(lang).recognizer(name) == expected


@pytest.mark.parametrize(
    ("lang", "stored", "shown"),
    [
        ("de", mask("SECRET", "Sommer2024!"), "**** (11 Zeichen)"),
        ("en", mask("SECRET", "Sommer2024!"), "**** (11 chars)"),
        ("de", mask("SECRET", "sk-proj-" + "a" * 43), "sk-proj-…**** (51 Zeichen)"),
        ("de", "DE89 **** **** 3000", "DE89 **** **** 3000"),  # no length note: unchanged
        ("de", "", ""),
    ],
)
def test_excerpt_length_in_the_ui_language(lang: str, stored: str, shown: str) -> None:
    assert Labels(lang).excerpt(stored) == shown


def test_excerpts_column_and_csv_cells_use_the_ui_language() -> None:
    stored = "SECRET: **** (11 chars); IBAN_CODE: DE89 **** **** 3000"
    assert Labels("de").cell("excerpts", stored) == (
        "Zugangsdaten oder Schlüssel: **** (11 Zeichen); IBAN: DE89 **** **** 3000"
    )


def _decision(ref: str | None, reasons: tuple[str, ...], ts: str, enforced: str) -> DecisionRecord:
    return openai_decision(
        action="warn",
        enforced=enforced,
        reasons=reasons,
        policy_version="1@a",
        findings=(FindingRecord("personal", "PHONE_NUMBER", 1, 0.6, "****12", "0" * 32, "m:0-9"),),
        coaching_ref=ref,
        ts=ts,
    )


def test_justification_is_linked_to_its_decisions_by_reference(tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    store = FindingsStore(db)
    stopped = store.record(
        _decision(
            "c-1", ("personal:not_allowed:warn", "coached"), "2025-03-01T10:00:00+00:00", "warn"
        )
    )
    # Another coaching link of the same person for the same service, minutes later:
    # a time-window match would take the wrong justification; the reference does not.
    other = store.record(
        _decision(
            "c-2", ("personal:not_allowed:warn", "coached"), "2025-03-01T10:01:00+00:00", "warn"
        )
    )
    passed = store.record(
        _decision(
            "c-1", ("personal:not_allowed:warn", "justified"), "2025-03-01T10:03:00+00:00", "allow"
        )
    )
    for ref, text, ts in (
        ("c-1", "Fehlalarm: das ist eine Bestellnummer", "2025-03-01T10:02:00+00:00"),
        ("c-2", "Kunde hat ausdrücklich zugestimmt", "2025-03-01T10:02:30+00:00"),
    ):
        store.record_coaching(
            CoachingRecord(
                service="openai-api",
                tool=None,
                user_pseudonym="u-1",
                user_group=None,
                data_classes=("personal",),
                entity_types={"PHONE_NUMBER": 1},
                justification=text,
                allowed_until="2025-03-01T10:17:00+00:00",
                ref=ref,
                ts=ts,
            )
        )
    store.close()
    with sqlite3.connect(db) as conn:
        for decision_id, expected in (
            (stopped, "Fehlalarm"),
            (passed, "Fehlalarm"),
            (other, "Kunde"),
        ):
            page = finding_page(conn, decision_id)
            assert page is not None and (page.justification or "").startswith(expected)
        rows = conn.execute(
            "select id, false_alarm, justification from alle_findings order by id"
        ).fetchall()
        assert [(i, flag) for i, flag, _ in rows] == [(stopped, 1), (other, 0), (passed, 1)]
        listed = conn.execute(
            "select decision_id, false_alarm from coaching_begruendungen order by id"
        ).fetchall()
        assert listed == [(stopped, 1), (other, 0)]
