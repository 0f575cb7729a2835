"""Guard addon with mitmproxy's own test helpers (tflow/taddons) and a real checker."""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from mitmproxy import exceptions, http
from mitmproxy.test import taddons, tflow

from proxy_addon.guard import Guard
from proxy_addon.identify import Identify
from proxy_addon.policy_source import PolicySource
from proxy_addon.recorder import Recorder

IBAN = "DE89 3704 0044 0532 0130 00"
CLEAN = "Wie funktioniert eine Wärmepumpe?"


def chat(content: str, stream: bool = False) -> bytes:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": content}]}
    if stream:
        body["stream"] = True
    return json.dumps(body).encode()


def claude(content: str, system: str | None = None) -> bytes:
    body: dict[str, object] = {
        "model": "claude",
        "max_tokens": 10,
        "messages": [{"role": "user", "content": content}],
    }
    if system is not None:
        body["system"] = system
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
    def __init__(self, tctx: taddons.context, addons: Addons, db: Path) -> None:
        self.tctx, self.db = tctx, db
        self.source, self.recorder, self.guard = addons
        self.identify = Identify()

    async def send(self, flow: http.HTTPFlow) -> http.HTTPFlow:
        self.identify.requestheaders(flow)
        await self.guard.request(flow)
        self.recorder.flush()
        return flow

    def configure(self, **options: object) -> None:
        for addon in (self.source, self.recorder, self.guard):
            self.tctx.configure(addon, **options)

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql).fetchall()


Addons = tuple[PolicySource, Recorder, Guard]


def make_addons() -> Addons:
    source = PolicySource()
    recorder = Recorder(source)
    return source, recorder, Guard(source, recorder)


@contextmanager
def running_guard(tmp_path: Path, **options: object) -> Iterator[Harness]:
    addons = make_addons()
    with taddons.context(*addons) as tctx:
        harness = Harness(tctx, addons, tmp_path / "f.db")
        harness.configure(leitplanke_db=str(tmp_path / "f.db"), leitplanke_workers=0, **options)
        yield harness
        for addon in addons[:2]:
            addon.done()


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    with running_guard(tmp_path) as harness:
        yield harness


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
    body = claude("Hallo", system=f"IBAN {IBAN}")  # the system prompt counts, too
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


async def test_api_paths_without_an_extractor_are_scanned_generically(harness: Harness) -> None:
    body = json.dumps({"model": "text-embedding-3-small", "input": f"IBAN {IBAN}"}).encode()
    flow = await harness.send(flow_for("api.openai.com", "/v1/embeddings", body))
    assert flow.response is not None and flow.response.status_code == 403
    assert harness.rows("select api, action from decisions") == [("generic", "block")]


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

    assert harness.source.active is not None
    monkeypatch.setattr(harness.source.active.pool, "scan", broken)
    closed = await harness.send(flow_for("api.openai.com", "/v1/chat/completions", chat(CLEAN)))
    assert closed.response is not None
    assert "nicht prüfen" in json.loads(closed.response.content or b"")["error"]["message"]
    harness.tctx.configure(harness.guard, leitplanke_fail_mode="open")
    opened = await harness.send(flow_for("api.openai.com", "/v1/chat/completions", chat(CLEAN)))
    assert opened.response is None
    assert harness.rows("select action, error from decisions order by id") == [
        ("block", "checker_error: RuntimeError"),
        ("allow", "checker_error: RuntimeError"),
    ]


async def test_invalid_policy_option_is_rejected_and_the_old_one_stays(
    harness: Harness, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\norganization: X\ncontact: y\ndata_classes:\n  p: {entitys: []}\n")
    assert harness.source.active is not None
    before = harness.source.active.loaded.version_id
    with pytest.raises(exceptions.OptionsError, match=r"bad.yaml:5:7: unknown key"):
        harness.tctx.configure(harness.source, leitplanke_policy=str(bad))
    # mitmproxy rolls the option back (and re-applies the old value): same policy.
    assert harness.tctx.options.leitplanke_policy == ""
    assert harness.source.active.loaded.version_id == before
    flow = await harness.send(flow_for("api.openai.com", "/v1/chat/completions", chat(IBAN)))
    assert flow.response is not None  # still enforcing


POLICY_V1 = """\
version: 1
organization: O
contact: c@o.example
data_classes:
  personal: {entities: [IBAN_CODE]}
  confidential: {terms: [Projekt Falke]}
tools:
  gpt: {services: [openai-api], allowed: [personal, confidential]}
"""


async def test_hot_reload_switches_and_keeps_last_good(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY_V1)
    with running_guard(tmp_path, leitplanke_policy=str(policy)) as harness:
        source = harness.source
        assert source.active is not None
        v1 = source.active.loaded.version_id
        ok = await harness.send(
            flow_for("api.openai.com", "/v1/chat/completions", chat("Stand Projekt Falke?"))
        )
        assert ok.response is None
        # v2: the project name is no longer allowed in the tool (and the pool changes)
        policy.write_text(
            POLICY_V1.replace("version: 1", "version: 2").replace(
                "[personal, confidential]", "[personal]"
            )
        )
        assert source.reload_if_changed()
        v2 = source.active.loaded.version_id
        assert v2 != v1 and v2.startswith("2@")
        blocked = await harness.send(
            flow_for("api.openai.com", "/v1/chat/completions", chat("Stand Projekt Falke?"))
        )
        assert blocked.response is not None
        # a broken edit is rejected: v2 stays active
        policy.write_text(POLICY_V1.replace("tools:", "toolz:"))
        assert not source.reload_if_changed()
        assert source.active.loaded.version_id == v2
        assert not source.reload_if_changed()  # the same broken file is not retried
        versions = [r[0] for r in harness.rows("select policy_version from decisions order by id")]
        assert versions == [v1, v2]


async def test_user_is_pseudonymised_and_grouped(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        POLICY_V1 + "groups:\n  hr: {users: [m.mueller]}\n  lab: {networks: [127.0.0.0/8]}\n"
    )
    with running_guard(tmp_path, leitplanke_policy=str(policy)) as harness:
        by_name = flow_for("api.openai.com", "/v1/chat/completions", chat(CLEAN))
        by_name.metadata["proxyauth"] = ("m.mueller", "secret")
        await harness.send(by_name)
        await harness.send(flow_for("api.openai.com", "/v1/chat/completions", chat(CLEAN)))
        rows = harness.rows("select user_pseudonym, user_group from decisions order by id")
    assert [group for _, group in rows] == ["hr", "lab"]
    assert all(str(user).startswith("u-") for user, _ in rows)
    assert "mueller" not in str(rows)


async def test_excerpt_mode_type_only(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY_V1 + "privacy: {excerpt: type_only}\n")
    with running_guard(tmp_path, leitplanke_policy=str(policy)) as harness:
        await harness.send(
            flow_for(
                "api.anthropic.com",
                "/v1/messages",
                claude(f"IBAN {IBAN}"),
            )
        )
        assert harness.rows("select masked_excerpt from findings") == [("<IBAN_CODE>",)]


async def test_policy_message_override_and_request_link(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        POLICY_V1 + "approval_request: https://intranet.example/ki\n"
        "messages:\n  unlisted_tool: {de: 'Bitte {service} nicht nutzen: {request}'}\n"
    )
    with running_guard(tmp_path, leitplanke_policy=str(policy)) as harness:
        flow = await harness.send(
            flow_for(
                "api.anthropic.com",
                "/v1/messages",
                claude(f"IBAN {IBAN}"),
            )
        )
    assert flow.response is not None
    text = json.loads(flow.response.content or b"")["error"]["message"]
    assert "IBAN" in text and "https://intranet.example/ki" in text


@pytest.mark.parametrize(
    "option",
    [
        {"leitplanke_workers": -1},
        {"leitplanke_policy_reload_s": -1},
        {"leitplanke_scan_timeout_ms": 0},
    ],
)
def test_option_validation(option: dict[str, int]) -> None:
    addons = make_addons()
    with taddons.context(*addons) as tctx, pytest.raises(exceptions.OptionsError):
        for addon in addons:
            tctx.configure(addon, **option)


async def test_warn_is_enforced_as_block_and_recorded_so(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "version: 1\norganization: O\ncontact: c@o.example\n"
        "data_classes:\n  personal: {entities: [IBAN_CODE]}\n"
        "on_violation: {personal: warn}\n"
    )
    with running_guard(tmp_path, leitplanke_policy=str(policy)) as harness:
        flow = await harness.send(flow_for("api.openai.com", "/v1/chat/completions", chat(IBAN)))
        rows = harness.rows("select action, enforced, reasons from decisions")
    assert flow.response is not None and flow.response.status_code == 403
    assert flow.response.headers["x-leitplanke-decision"] == "warn"
    assert flow.response.headers["x-leitplanke-enforced"] == "block"
    ((action, enforced, reasons),) = rows
    assert (action, enforced) == ("warn", "block")
    assert json.loads(str(reasons))[-1] == "warn:enforced_as_block"


async def test_recorder_purges_past_the_policy_retention(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY_V1 + "privacy: {retention_days: 30}\n")
    with running_guard(tmp_path, leitplanke_policy=str(policy)) as harness:
        await harness.send(flow_for("api.openai.com", "/v1/chat/completions", chat(CLEAN)))
        with sqlite3.connect(harness.db) as conn:  # age the row past 30 days
            conn.execute("update decisions set ts = '2020-01-01T00:00:00.000+00:00'")
        await harness.send(flow_for("api.openai.com", "/v1/chat/completions", chat(CLEAN)))
        assert harness.recorder.purge() == 1
        assert harness.rows("select count(*) from decisions") == [(1,)]
