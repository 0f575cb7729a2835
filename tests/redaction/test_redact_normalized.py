"""Redaction of values the checker found only after normalisation: the original
characters (zero-width spaces, entities, a base64 run, both halves of a split value)
are replaced, and nothing the checker could find is left in the forwarded body."""

from __future__ import annotations

import base64
import json

import pytest

from checker.config import ScanConfig
from checker.scan import Scanner
from extract.registry import extract
from policy.loader import load_policy
from redaction.memory import PlaceholderMap
from redaction.redact import redact_body
from redaction.restore import restore_text

IBAN = "DE89370400440532013000"


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner(ScanConfig.from_policy(load_policy().policy))


def _chat(*messages: str) -> bytes:
    return json.dumps(
        {"model": "gpt-4o", "messages": [{"role": "user", "content": m} for m in messages]}
    ).encode()


@pytest.mark.parametrize(
    "messages",
    [
        ["Bitte überweise an D\u200bE\u200b8\u200b9\u200b" + IBAN[4:] + " heute."],
        ["Schreib an max.mustermann&#64;example&#46;com eine Mail."],
        ["Anhang: " + base64.b64encode(f"Konto {IBAN}".encode()).decode() + " bitte prüfen"],
        ["Meine IBAN ist DE89 3704 0044", "0532 0130 00 – danke!"],
        ["Mail an max.mustermann [at]", " example [dot] com bitte"],
    ],
    ids=["zero-width", "entities", "base64", "split", "split-obfuscated"],
)
def test_redaction_leaves_nothing_to_find(scanner: Scanner, messages: list[str]) -> None:
    body = _chat(*messages)
    prompt = extract("openai_chat", body, "application/json")
    findings = scanner.scan([p.text for p in prompt.parts])
    assert findings
    mapping = PlaceholderMap()
    result = redact_body("openai_chat", body, prompt, findings, mapping)
    assert result.ok and result.body is not None
    sent = [m["content"] for m in json.loads(result.body)["messages"]]
    assert scanner.scan(sent) == []
    assert [restore_text(text, mapping) for text in sent] == messages
