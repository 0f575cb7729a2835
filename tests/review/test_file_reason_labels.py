"""The DPO reads why a file stopped a prompt: the reason and what the person saw."""

from __future__ import annotations

import json

import pytest

from review.labels import Labels


@pytest.mark.parametrize(
    ("lang", "code", "text"),
    [
        (
            "de",
            "unreadable_file:encrypted:block",
            "Datei nicht vollständig prüfbar (verschlüsselt)",
        ),
        ("en", "unreadable_file:too_many_members:block", "(too many files in the archive)"),
        ("en", "unreadable_file:part_of_file:log", "part of a file uploaded in parts"),
        ("de", "unreadable_file:something_new:block", "(something_new)"),
    ],
)
def test_unreadable_file_reasons_in_words(lang: str, code: str, text: str) -> None:
    assert text in Labels(lang).reason(code)


def test_what_the_person_saw_for_a_file() -> None:
    labels = Labels("de")
    file_only = json.dumps(["unlisted_tool:log", "unreadable_file:encrypted:block"])
    assert "Datei" in labels.seen("block", file_only, None)
    with_data = json.dumps(["personal:not_allowed:block", "unreadable_file:corrupt:block"])
    assert labels.seen("block", with_data, None) == labels.t["seen"]["block"]
