"""Rollout modes in the Guard (mitmproxy tflow/taddons, real checker): monitor lets a
prompt through unchanged and records what enforcement would have done; coach turns a
block into the coaching answer; a group's mode wins over the policy-wide one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from proxy_addon.guard import REDACTION
from tests.proxy_addon.test_guard import (
    COACH_LINK,
    EMAIL,
    IBAN,
    Harness,
    ai_flow,
    chat,
    flow_for,
    guard_with_policy,
    justify,
    message_of,
)

POLICY = """\
version: 1
organization: O
contact: c@o.example
mode: monitor
data_classes:
  personal: {{entities: [IBAN_CODE, EMAIL_ADDRESS]}}
  secrets: {{entities: [SECRET]}}
on_violation: {{personal: {personal}, secrets: block}}
groups:
  pilot: {{users: [erika], mode: coach}}
  einkauf: {{users: [max], mode: enforce}}
  lager: {{users: [lena]}}
"""
KEY = "sk-proj-" + "A1b2C3d4E5f6G7h8J9k0L1m2N3p4Q5r6S7t8U9v0W1x2"


def rollout_harness(tmp_path: Path, personal: str = "block", extra: str = "") -> Iterator[Harness]:
    with guard_with_policy(
        tmp_path, "rollout.yaml", POLICY.format(personal=personal) + extra
    ) as harness:
        yield harness


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    yield from rollout_harness(tmp_path)


def decisions(harness: Harness) -> list[tuple[str, str, str | None, list[str]]]:
    rows = harness.rows("select action, enforced, mode, reasons from decisions order by id")
    return [(str(a), str(e), m if m is None else str(m), json.loads(str(r))) for a, e, m, r in rows]


# ---- monitor -----------------------------------------------------------------------


async def test_monitor_lets_a_pii_prompt_through_and_records_the_would_be_block(
    harness: Harness,
) -> None:
    body = chat(f"Überweise an {IBAN}, Rückfragen an {EMAIL}")
    flow = await harness.send(ai_flow(f"Überweise an {IBAN}, Rückfragen an {EMAIL}", user="udo"))
    assert flow.response is None  # forwarded
    assert flow.request.content == body  # unchanged: not redacted, not rewritten
    assert REDACTION not in flow.metadata
    ((action, enforced, mode, reasons),) = decisions(harness)
    assert (action, enforced, mode) == ("block", "log", "monitor")
    assert reasons == [
        "unlisted_tool:log",
        "personal:not_allowed:block",
        "mode:monitor",
        "block:enforced_as_log",
    ]
    findings = harness.rows("select entity_type, action from findings order by entity_type")
    assert findings == [("EMAIL_ADDRESS", "block"), ("IBAN_CODE", "block")]
    assert IBAN.encode() not in harness.db.read_bytes()


async def test_monitor_records_clean_prompts_with_their_mode(harness: Harness) -> None:
    flow = await harness.send(ai_flow("Wie funktioniert eine Wärmepumpe?", user="lena"))
    assert flow.response is None
    # unlisted tool: "log" stays "log"; no mode reason because nothing changed
    assert decisions(harness) == [("log", "log", "monitor", ["unlisted_tool:log"])]


async def test_monitor_never_coaches_or_redacts(tmp_path: Path) -> None:
    for personal in ("warn", "redact"):
        (tmp_path / personal).mkdir()
        for harness in rollout_harness(tmp_path / personal, personal):
            content = f"Konto {IBAN}"
            flow = await harness.send(ai_flow(content, user="udo"))
            assert flow.response is None and flow.request.content == chat(content)
            assert REDACTION not in flow.metadata
            assert len(harness.guard.coaching) == 0  # no one-time link issued
            ((action, enforced, mode, reasons),) = decisions(harness)
            assert (action, enforced, mode) == (personal, "log", "monitor")
            assert "mode:monitor" in reasons and "coached" not in reasons


async def test_monitor_lets_an_oversize_prompt_pass_and_records_it(tmp_path: Path) -> None:
    for harness in rollout_harness(tmp_path, extra="max_body_bytes: 2048\n"):
        flow = await harness.send(ai_flow("x" * 4096, user="udo"))
        assert flow.response is None
        ((action, enforced, mode, reasons),) = decisions(harness)
        assert (action, enforced, mode) == ("block", "log", "monitor")
        assert reasons[0] == "oversize" and "mode:monitor" in reasons


# ---- coach -------------------------------------------------------------------------


async def test_coach_turns_a_block_into_the_coaching_answer(harness: Harness) -> None:
    first = await harness.send(ai_flow(f"Konto {IBAN}", user="erika"))
    assert first.response is not None and first.response.status_code == 403
    headers = first.response.headers
    assert (headers["x-leitplanke-decision"], headers["x-leitplanke-enforced"]) == ("block", "warn")
    assert headers["x-leitplanke-mode"] == "coach"
    match = COACH_LINK.search(message_of(first))
    assert match is not None, message_of(first)
    assert "IBAN (Bankverbindung) (1×)" in message_of(first)

    done = await justify(harness, match.group(1), "Kunde wartet auf die Zahlung")
    assert done.status_code == 200
    second = await harness.send(ai_flow(f"Konto {IBAN}", user="erika"))
    assert second.response is None  # justified: passes
    assert [(a, e, m) for a, e, m, _ in decisions(harness)] == [
        ("block", "warn", "coach"),
        ("block", "allow", "coach"),
    ]
    assert decisions(harness)[0][3][-2:] == ["mode:coach", "coached"]
    assert decisions(harness)[1][3][-2:] == ["mode:coach", "justified"]


async def test_coach_keeps_redact(tmp_path: Path) -> None:
    for harness in rollout_harness(tmp_path, "redact"):
        flow = await harness.send(ai_flow(f"IBAN {IBAN}", user="erika"))
        assert flow.response is None
        sent = json.loads(flow.request.content or b"")["messages"][0]["content"]
        assert sent == "IBAN <IBAN_1>"
        assert decisions(harness) == [
            ("redact", "redact", "coach", ["unlisted_tool:log", "personal:not_allowed:redact"])
        ]


# ---- the group's mode wins -----------------------------------------------------------


async def test_an_enforce_group_is_blocked_while_everyone_else_is_monitored(
    harness: Harness,
) -> None:
    blocked = await harness.send(ai_flow(f"Konto {IBAN}", user="max"))
    assert blocked.response is not None and blocked.response.status_code == 403
    assert "x-leitplanke-mode" not in blocked.response.headers
    assert not COACH_LINK.search(message_of(blocked))
    passed = await harness.send(ai_flow(f"Konto {IBAN}", user="lena"))  # group without a mode
    assert passed.response is None
    rows = harness.rows("select user_group, action, enforced, mode from decisions order by id")
    assert rows == [("einkauf", "block", "block", "enforce"), ("lager", "block", "log", "monitor")]


async def test_an_internal_error_still_fails_closed_for_an_enforce_group(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise LookupError("unknown charset")

    monkeypatch.setattr("proxy_addon.guard.read", broken)
    enforced = await harness.send(ai_flow(f"Konto {IBAN}", user="max"))
    assert enforced.response is not None and enforced.response.status_code == 403
    monitored = await harness.send(ai_flow(f"Konto {IBAN}", user="lena"))
    assert monitored.response is None
    rows = harness.rows("select user_group, enforced, mode, error from decisions order by id")
    assert rows == [
        ("einkauf", "block", "enforce", "internal_error: LookupError"),
        ("lager", "log", "monitor", "internal_error: LookupError"),
    ]


async def test_a_secret_in_coach_mode_is_coached_too(harness: Harness) -> None:
    flow = await harness.send(
        flow_for("api.openai.com", "/v1/chat/completions", chat(f"key {KEY}"))
    )
    # no proxy user, client 127.0.0.1 in no group: policy-wide monitor
    assert flow.response is None
    pilot = await harness.send(ai_flow(f"key {KEY}", user="erika"))
    assert pilot.response is not None and COACH_LINK.search(message_of(pilot))
