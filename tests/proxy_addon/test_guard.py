"""Guard addon with mitmproxy's own test helpers (tflow/taddons) and a real checker."""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from mitmproxy import exceptions, http
from mitmproxy.test import taddons, tflow

from proxy_addon.guard import Guard
from proxy_addon.identify import Identify

IBAN = "DE89 3704 0044 0532 0130 00"
CLEAN = "Wie funktioniert eine Wärmepumpe?"


def chat(content: str, stream: bool = False) -> bytes:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": content}]}
    if stream:
        body["stream"] = True
    return json.dumps(body).encode()


def flow_for(
    host: str, path: str, body: bytes, method: str = "POST", **headers: str
) -> http.HTTPFlow:
    flow = tflow.tflow()
    flow.request.host = host
    flow.request.port = 443
    flow.request.scheme = "https"
    flow.request.method = method
    flow.request.path = path
    flow.request.headers["host"] = host
    flow.request.headers["content-type"] = "application/json"
    for name, value in headers.items():
        flow.request.headers[name.replace("_", "-")] = value
    flow.request.content = body
    return flow


class Harness:
    def __init__(self, tctx: taddons.context, guard: Guard, db: Path) -> None:
        self.tctx, self.guard, self.db = tctx, guard, db
        self.identify = Identify()

    async def send(self, flow: http.HTTPFlow) -> http.HTTPFlow:
        self.identify.requestheaders(flow)
        await self.guard.request(flow)
        self.guard.flush()
        return flow

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql).fetchall()


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    guard = Guard()
    with taddons.context(guard) as tctx:
        tctx.configure(guard, leitplanke_db=str(tmp_path / "f.db"), leitplanke_workers=0)
        yield Harness(tctx, guard, tmp_path / "f.db")
        guard.done()


async def test_clean_prompt_passes_and_is_logged_as_usage(harness: Harness) -> None:
    flow = await harness.send(flow_for("api.openai.com", "/v1/chat/completions", chat(CLEAN)))
    assert flow.response is None
    assert harness.rows("select service, action, finding_count from decisions") == [
        ("openai-api", "log", 0)
    ]


async def test_iban_is_blocked_with_openai_error_json(harness: Harness) -> None:
    flow = await harness.send(
        flow_for("api.openai.com", "/v1/chat/completions", chat(f"Konto {IBAN}"))
    )
    assert flow.response is not None and flow.response.status_code == 403
    assert flow.response.headers["x-leitplanke-decision"] == "block"
    error = json.loads(flow.response.content or b"")["error"]
    assert "IBAN" in error["message"] and IBAN not in error["message"]
    assert error["code"] == "leitplanke_policy_block"
    (row,) = harness.rows("select entity_type, data_class, action, masked_excerpt from findings")
    assert row == ("IBAN_CODE", "personal", "block", "DE89 **** **** 3000")


async def test_streaming_request_is_answered_as_sse(harness: Harness) -> None:
    flow = await harness.send(
        flow_for("api.openai.com", "/v1/chat/completions", chat(f"IBAN {IBAN}", stream=True))
    )
    assert flow.response is not None and flow.response.status_code == 200
    assert flow.response.headers["content-type"].startswith("text/event-stream")
    text = (flow.response.content or b"").decode()
    assert "IBAN" in text and text.rstrip().endswith("data: [DONE]")


async def test_anthropic_block_has_anthropic_error_shape(harness: Harness) -> None:
    body = json.dumps(
        {
            "model": "claude",
            "max_tokens": 10,
            "system": f"IBAN {IBAN}",
            "messages": [{"role": "user", "content": "Hallo"}],
        }
    ).encode()
    flow = await harness.send(flow_for("api.anthropic.com", "/v1/messages", body))
    assert flow.response is not None
    payload = json.loads(flow.response.content or b"")
    assert payload["type"] == "error" and payload["error"]["type"] == "permission_error"


async def test_accept_language_english(harness: Harness) -> None:
    flow = await harness.send(
        flow_for(
            "api.openai.com",
            "/v1/chat/completions",
            chat(f"IBAN {IBAN}"),
            accept_language="en-US,en;q=0.9",
        )
    )
    assert flow.response is not None
    assert "was not sent" in json.loads(flow.response.content or b"")["error"]["message"]


async def test_non_ai_hosts_and_other_endpoints_pass_untouched(harness: Harness) -> None:
    other = await harness.send(flow_for("example.com", "/v1/chat/completions", chat(IBAN)))
    models = await harness.send(flow_for("api.openai.com", "/v1/models", b"", method="GET"))
    assert other.response is None and models.response is None
    assert harness.rows("select count(*) from decisions") == [(0,)]


async def test_service_survives_map_remote(harness: Harness) -> None:
    flow = flow_for("api.openai.com", "/v1/chat/completions", chat(f"IBAN {IBAN}"))
    harness.identify.requestheaders(flow)
    flow.request.host = "127.0.0.1"  # what MapRemote does at `request`
    flow.request.headers["host"] = "127.0.0.1"
    await harness.guard.request(flow)
    assert flow.response is not None and flow.response.status_code == 403


async def test_malformed_json_is_scanned_as_text(harness: Harness) -> None:
    clean = await harness.send(flow_for("api.openai.com", "/v1/chat/completions", b"{oops"))
    dirty = await harness.send(
        flow_for("api.openai.com", "/v1/chat/completions", f"{{oops {IBAN}".encode())
    )
    assert clean.response is None
    assert dirty.response is not None and dirty.response.status_code == 403
    errors = [row[0] for row in harness.rows("select error from decisions order by id")]
    assert all(str(e).startswith("unparsed_body") for e in errors)


async def test_oversize_body_gets_the_policy_size_action(harness: Harness) -> None:
    huge = chat("x" * (11 * 1024 * 1024))
    flow = await harness.send(flow_for("api.openai.com", "/v1/chat/completions", huge))
    assert flow.response is not None and flow.response.status_code == 403
    assert "zu groß" in json.loads(flow.response.content or b"")["error"]["message"]
    assert harness.rows("select action, error from decisions") == [("block", "oversize")]


async def test_gzip_body_is_decoded_and_a_bomb_is_refused(harness: Harness) -> None:
    flow = flow_for("api.openai.com", "/v1/chat/completions", b"")
    flow.request.headers["content-encoding"] = "gzip"
    flow.request.raw_content = gzip.compress(chat(f"IBAN {IBAN}"))
    await harness.send(flow)
    assert flow.response is not None and flow.response.status_code == 403
    bomb = flow_for("api.openai.com", "/v1/chat/completions", b"")
    bomb.request.headers["content-encoding"] = "gzip"
    bomb.request.raw_content = gzip.compress(b" " * (20 * 1024 * 1024))
    await harness.send(bomb)
    assert bomb.response is not None
    assert harness.rows("select error from decisions order by id")[-1] == ("oversize",)


async def test_undecodable_body_fails_closed(harness: Harness) -> None:
    flow = flow_for("api.openai.com", "/v1/chat/completions", b"")
    flow.request.headers["content-encoding"] = "gzip"
    flow.request.raw_content = b"definitely not gzip"
    await harness.send(flow)
    assert flow.response is not None and flow.response.status_code == 403
    assert harness.rows("select action, error from decisions") == [("block", "undecodable_body")]


async def test_checker_failure_fails_closed_then_open(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> list[object]:
        raise RuntimeError("worker died")

    assert harness.guard.pool is not None
    monkeypatch.setattr(harness.guard.pool, "scan", broken)
    closed = await harness.send(flow_for("api.openai.com", "/v1/chat/completions", chat(CLEAN)))
    assert closed.response is not None
    assert "nicht prüfen" in json.loads(closed.response.content or b"")["error"]["message"]
    harness.tctx.configure(harness.guard, leitplanke_fail_mode="open")
    monkeypatch.setattr(harness.guard.pool, "scan", broken)
    opened = await harness.send(flow_for("api.openai.com", "/v1/chat/completions", chat(CLEAN)))
    assert opened.response is None
    assert harness.rows("select action, error from decisions order by id") == [
        ("block", "checker_error: RuntimeError"),
        ("allow", "checker_error: RuntimeError"),
    ]


async def test_invalid_policy_is_rejected_and_the_old_one_stays(
    harness: Harness, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\norganization: X\ncontact: y\ndata_classes:\n  p: {entitys: []}\n")
    assert harness.guard.loaded is not None
    before = harness.guard.loaded.version_id
    with pytest.raises(exceptions.OptionsError, match=r"bad.yaml:5:7: unknown key"):
        harness.tctx.configure(harness.guard, leitplanke_policy=str(bad))
    # mitmproxy rolls the option back (and re-applies the old value): same policy.
    assert harness.tctx.options.leitplanke_policy == ""
    assert harness.guard.loaded.version_id == before
    flow = await harness.send(flow_for("api.openai.com", "/v1/chat/completions", chat(IBAN)))
    assert flow.response is not None  # still enforcing


async def test_user_is_pseudonymised(harness: Harness) -> None:
    flow = flow_for("api.openai.com", "/v1/chat/completions", chat(CLEAN))
    flow.metadata["proxyauth"] = ("m.mueller", "secret")
    await harness.send(flow)
    (user,) = harness.rows("select user_pseudonym from decisions")[0]
    assert str(user).startswith("u-") and "mueller" not in str(user)


def test_option_validation() -> None:
    guard = Guard()
    with taddons.context(guard) as tctx, pytest.raises(exceptions.OptionsError):
        tctx.configure(guard, leitplanke_workers=-1)


async def test_warn_and_redact_are_enforced_as_block_and_recorded_so(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "version: 1\norganization: O\ncontact: c@o.example\n"
        "data_classes:\n  personal: {entities: [IBAN_CODE]}\n"
        "on_violation: {personal: warn}\n"
    )
    guard = Guard()
    with taddons.context(guard) as tctx:
        tctx.configure(guard, leitplanke_db=str(tmp_path / "f.db"), leitplanke_workers=0,
                       leitplanke_policy=str(policy))  # fmt: skip
        harness = Harness(tctx, guard, tmp_path / "f.db")
        flow = await harness.send(flow_for("api.openai.com", "/v1/chat/completions", chat(IBAN)))
        guard.done()
    assert flow.response is not None and flow.response.status_code == 403
    (action, reasons) = harness.rows("select action, reasons from decisions")[0]
    assert action == "block"
    assert json.loads(str(reasons))[-1] == "warn:enforced_as_block"
