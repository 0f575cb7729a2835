"""Guard addon with mitmproxy's own test helpers (tflow/taddons) and a real checker."""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

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
        self.identify = Identify(key=lambda: self.recorder.key)

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


@contextmanager
def guard_with_policy(tmp_path: Path, name: str, text: str) -> Iterator[Harness]:
    """running_guard with `text` written to tmp_path/`name` as its policy."""
    policy = tmp_path / name
    policy.write_text(text)
    with running_guard(tmp_path, leitplanke_policy=str(policy)) as harness:
        yield harness


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
    flow = await harness.send(flow_for("api.openai.com", "/v1/moderations", body))
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


@pytest.mark.parametrize(
    ("fail_mode", "policy_fail_mode", "status", "action"),
    [
        ("closed", "open", 403, "block"),  # the option wins over a lenient policy
        ("policy", "open", None, "allow"),
        ("policy", "closed", 403, "block"),
        ("open", "closed", None, "allow"),
    ],
)
async def test_checker_timeout_gets_the_fail_mode(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fail_mode: str,
    policy_fail_mode: str,
    status: int | None,
    action: str,
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "version: 1\norganization: O\ncontact: c@o.example\n"
        "data_classes:\n  personal: {entities: [IBAN_CODE]}\n"
        f"fail_mode: {policy_fail_mode}\non_violation: {{personal: block}}\n"
        # A larger budget than the gateway's 20 s timeout: the timeout is the checker's.
        "scan_budget: {max_seconds: 60}\n"
    )
    options = {"leitplanke_policy": str(policy), "leitplanke_fail_mode": fail_mode}
    with running_guard(tmp_path, **options) as harness:

        async def stuck(*args: object, **kwargs: object) -> list[object]:
            raise TimeoutError  # what asyncio.wait_for raises after scan_timeout_ms

        assert harness.source.active is not None
        monkeypatch.setattr(harness.source.active.pool, "scan", stuck)
        flow = await harness.send(
            flow_for("api.openai.com", "/v1/chat/completions", chat(f"Konto {IBAN}"))
        )
        rows = harness.rows("select action, error from decisions")
    assert (flow.response.status_code if flow.response else None) == status
    assert rows == [(action, "checker_error: TimeoutError")]


async def test_a_prompt_beyond_the_scan_budget_is_blocked_with_its_own_reason(
    tmp_path: Path,
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "version: 1\norganization: O\ncontact: c@o.example\n"
        "data_classes:\n  personal: {entities: [IBAN_CODE]}\n"
        "scan_budget: {max_characters: 1000}\n"
    )
    with running_guard(tmp_path, leitplanke_policy=str(policy)) as harness:
        flow = await harness.send(
            flow_for("api.openai.com", "/v1/chat/completions", chat("Hallo Welt. " * 100))
        )
        rows = harness.rows("select action, error from decisions")
    assert flow.response is not None and flow.response.status_code == 403
    # 1,200 characters of message plus what else the request carries (model, path …)
    [(action, error)] = rows
    assert action == "block" and re.fullmatch(r"scan_budget: 1[23]\d\d characters > 1000", error)


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
    with guard_with_policy(
        tmp_path, "policy.yaml", POLICY_V1 + "privacy: {excerpt: type_only}\n"
    ) as harness:
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


WARN_POLICY = """\
version: 1
organization: O
contact: c@o.example
data_classes:
  personal: {entities: [IBAN_CODE, EMAIL_ADDRESS]}
  confidential: {terms: [Projekt Falke]}
on_violation: {personal: warn, confidential: warn}
"""
EMAIL = "erika.mustermann@beispiel-firma.de"
COACH_LINK = re.compile(r"http://leitplanke\.portal/coach/([A-Za-z0-9_-]+)")


def portal_flow(
    path: str,
    *,
    user: str | None = "erika",
    form: dict[str, str] | None = None,
    host: str = "leitplanke.portal",
    **headers: str,
) -> http.HTTPFlow:
    """A browser request for the portal through the proxy (plain http)."""
    flow = tflow.tflow()
    flow.request.scheme, flow.request.host, flow.request.port = "http", host, 80
    flow.request.path = path
    flow.request.headers["host"] = host
    flow.request.method = "GET"
    flow.request.content = b""
    if form is not None:
        flow.request.method = "POST"
        flow.request.headers["content-type"] = "application/x-www-form-urlencoded"
        flow.request.content = urlencode(form).encode()
        flow.request.headers["content-length"] = str(len(flow.request.content))
    for name, value in headers.items():
        flow.request.headers[name.replace("_", "-")] = value
    if user is not None:
        flow.metadata["proxyauth"] = (user, "pw")
    return flow


async def visit(harness: Harness, flow: http.HTTPFlow) -> http.Response:
    portal = harness.guard.portal
    harness.identify.requestheaders(flow)
    portal.requestheaders(flow)
    if flow.response is None:
        await portal.request(flow)
    harness.recorder.flush()
    assert flow.response is not None
    return flow.response


def csrf_of(page: http.Response) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page.get_text() or "")
    assert match, page.get_text()
    return match.group(1)


def ai_flow(content: str, user: str = "erika") -> http.HTTPFlow:
    flow = flow_for("api.openai.com", "/v1/chat/completions", chat(content))
    flow.metadata["proxyauth"] = (user, "pw")
    return flow


def message_of(flow: http.HTTPFlow) -> str:
    assert flow.response is not None
    return str(json.loads(flow.response.content or b"")["error"]["message"])


async def justify(harness: Harness, token: str, text: str, user: str = "erika") -> http.Response:
    page = await visit(harness, portal_flow(f"/coach/{token}", user=user))
    assert page.status_code == 200
    form = {"csrf": csrf_of(page), "justification": text, "choice": "proceed"}
    return await visit(harness, portal_flow(f"/coach/{token}", user=user, form=form))


@pytest.fixture
def warn_harness(tmp_path: Path) -> Iterator[Harness]:
    with guard_with_policy(tmp_path, "warn.yaml", WARN_POLICY) as harness:
        yield harness


async def test_warn_coaches_then_a_justification_lets_the_same_pattern_pass(
    warn_harness: Harness,
) -> None:
    harness = warn_harness
    clock = [1_000_000.0]
    harness.guard.coaching.clock = lambda: clock[0]
    first = await harness.send(ai_flow(f"Konto {IBAN}"))
    assert first.response is not None and first.response.status_code == 403
    assert first.response.headers["x-leitplanke-decision"] == "warn"
    assert first.response.headers["x-leitplanke-enforced"] == "warn"
    text = message_of(first)
    assert "IBAN (Bankverbindung) (1×)" in text and IBAN not in text
    assert "15 Minuten" in text
    assert "http://leitplanke.portal/approval?service=openai-api" in text
    match = COACH_LINK.search(text)
    assert match is not None
    token = match.group(1)
    assert len(token) >= 43  # 256 bits

    # the page names types and counts only, never the value
    page = await visit(harness, portal_flow(f"/coach/{token}"))
    body = page.get_text() or ""
    assert page.status_code == 200 and "IBAN (Bankverbindung) (1×)" in body
    assert IBAN not in body and "Trotzdem senden (begründet)" in body
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["cache-control"] == "no-store"

    done = await justify(harness, token, f"Rückfrage von {EMAIL}, Zahlung eilt")
    assert done.status_code == 200 and "15 Minuten" in (done.get_text() or "")
    (row,) = harness.rows("select justification, data_classes, entity_types from coaching")
    assert row == (
        "Rückfrage von <EMAIL_ADDRESS>, Zahlung eilt",
        '["personal"]',
        '{"IBAN_CODE": 1}',
    )

    # the same pattern passes now (another IBAN, an e-mail: same class)
    second = await harness.send(ai_flow(f"Konto {IBAN}, Mail {EMAIL}"))
    assert second.response is None
    # another data class is not covered
    other = await harness.send(ai_flow(f"Konto {IBAN} im Projekt Falke"))
    assert other.response is not None and COACH_LINK.search(message_of(other))
    # another user is not covered
    someone = await harness.send(ai_flow(f"Konto {IBAN}", user="max"))
    assert someone.response is not None
    # after the allowance, the next attempt is coached again
    clock[0] += 15 * 60 + 1
    later = await harness.send(ai_flow(f"Konto {IBAN}"))
    assert later.response is not None and COACH_LINK.search(message_of(later))

    rows = harness.rows("select action, enforced, reasons from decisions order by id")
    assert [(a, e) for a, e, _ in rows] == [
        ("warn", "warn"),
        ("warn", "allow"),
        ("warn", "warn"),
        ("warn", "warn"),
        ("warn", "warn"),
    ]
    assert json.loads(str(rows[0][2]))[-1] == "coached"
    assert json.loads(str(rows[1][2]))[-1] == "justified"
    assert IBAN.encode() not in harness.db.read_bytes()


async def test_coaching_link_is_single_use_and_bound_to_the_user(warn_harness: Harness) -> None:
    harness = warn_harness
    flow = await harness.send(ai_flow(f"Konto {IBAN}"))
    match = COACH_LINK.search(message_of(flow))
    assert match is not None
    token = match.group(1)
    stranger = await visit(harness, portal_flow(f"/coach/{token}", user="max"))
    assert stranger.status_code == 404 and "Link ungültig" in (stranger.get_text() or "")
    # a CSRF token of another user does not work either
    page = await visit(harness, portal_flow(f"/coach/{token}", user="max"))
    assert page.status_code == 404
    assert (await justify(harness, token, "Kunde wartet auf die Antwort")).status_code == 200
    again = await visit(harness, portal_flow(f"/coach/{token}"))
    assert again.status_code == 404
    assert harness.rows("select count(*) from coaching") == [(1,)]


async def test_cancel_uses_the_link_up_without_an_allowance(warn_harness: Harness) -> None:
    harness = warn_harness
    flow = await harness.send(ai_flow(f"Konto {IBAN}"))
    match = COACH_LINK.search(message_of(flow))
    assert match is not None
    token = match.group(1)
    page = await visit(harness, portal_flow(f"/coach/{token}"))
    form = {"csrf": csrf_of(page), "justification": "", "choice": "cancel"}
    done = await visit(harness, portal_flow(f"/coach/{token}", form=form))
    assert done.status_code == 200 and "nicht gesendet" in (done.get_text() or "")
    assert (await harness.send(ai_flow(f"Konto {IBAN}"))).response is not None
    assert harness.rows("select count(*) from coaching") == [(0,)]


async def test_without_a_portal_warn_is_a_block_message(tmp_path: Path) -> None:
    policy = tmp_path / "warn.yaml"
    policy.write_text(WARN_POLICY)
    with running_guard(
        tmp_path, leitplanke_policy=str(policy), leitplanke_portal_host=""
    ) as harness:
        flow = await harness.send(ai_flow(f"Konto {IBAN}"))
        rows = harness.rows("select action, enforced from decisions")
    assert flow.response is not None and flow.response.status_code == 403
    assert "leitplanke.portal" not in message_of(flow)
    assert "nicht an OpenAI" in message_of(flow)
    assert rows == [("warn", "warn")]


async def test_block_messages_link_the_approval_page(harness: Harness) -> None:
    flow = await harness.send(ai_flow(f"Konto {IBAN}"))
    assert "http://leitplanke.portal/approval?service=openai-api" in message_of(flow)


async def test_oversize_warn_is_enforced_as_block(tmp_path: Path) -> None:
    with guard_with_policy(
        tmp_path, "warn.yaml", WARN_POLICY + "oversize_action: warn\nmax_body_bytes: 2048\n"
    ) as harness:
        flow = await harness.send(ai_flow("x" * 4096))
        rows = harness.rows("select action, enforced, error from decisions")
    assert flow.response is not None and not COACH_LINK.search(message_of(flow))
    assert rows == [("warn", "block", "oversize")]


async def test_recorder_purges_past_the_policy_retention(tmp_path: Path) -> None:
    with guard_with_policy(
        tmp_path, "policy.yaml", POLICY_V1 + "privacy: {retention_days: 30}\n"
    ) as harness:
        await harness.send(flow_for("api.openai.com", "/v1/chat/completions", chat(CLEAN)))
        with sqlite3.connect(harness.db) as conn:  # age the row past 30 days
            conn.execute("update decisions set ts = '2020-01-01T00:00:00.000+00:00'")
        await harness.send(flow_for("api.openai.com", "/v1/chat/completions", chat(CLEAN)))
        assert harness.recorder.purge() == 1
        assert harness.rows("select count(*) from decisions") == [(1,)]


# ---- redact: placeholders upstream, originals back in the answer ---------------------

REDACT_POLICY = """\
version: 1
organization: O
contact: c@o.example
data_classes:
  personal: {entities: [IBAN_CODE, EMAIL_ADDRESS]}
  secrets: {entities: [SECRET]}
on_violation: {personal: redact, secrets: block}
"""


@pytest.fixture
def redact_harness(tmp_path: Path) -> Iterator[Harness]:
    with guard_with_policy(tmp_path, "redact.yaml", REDACT_POLICY) as harness:
        yield harness


async def test_redact_sends_placeholders_and_restores_the_json_answer(
    redact_harness: Harness,
) -> None:
    flow = flow_for("api.openai.com", "/v1/chat/completions", chat(f"IBAN {IBAN}, {EMAIL}"))
    flow.request.headers["accept-encoding"] = "gzip"
    await redact_harness.send(flow)
    assert flow.response is None  # forwarded, not blocked
    sent = json.loads(flow.request.content or b"")["messages"][0]["content"]
    assert sent == "IBAN <IBAN_1>, <EMAIL_1>"
    assert IBAN not in (flow.request.text or "") and "accept-encoding" not in flow.request.headers
    answer = {
        "choices": [{"message": {"role": "assistant", "content": "Ok: <IBAN_1> / <EMAIL_1>"}}]
    }
    flow.response = http.Response.make(
        200, json.dumps(answer), {"content-type": "application/json"}
    )
    redact_harness.guard.responseheaders(flow)
    await redact_harness.guard.response(flow)
    restored = json.loads(flow.response.content or b"")
    assert restored["choices"][0]["message"]["content"] == f"Ok: {IBAN} / {EMAIL}"
    assert redact_harness.rows("select action, enforced from decisions") == [("redact", "redact")]


async def test_redact_placeholders_stay_stable_across_turns(redact_harness: Harness) -> None:
    first = await redact_harness.send(
        flow_for("api.openai.com", "/v1/chat/completions", chat(f"IBAN {IBAN}"))
    )
    second = await redact_harness.send(
        flow_for("api.openai.com", "/v1/chat/completions", chat(f"{EMAIL} und {IBAN}"))
    )
    assert b"<IBAN_1>" in (first.request.content or b"")
    assert b"<EMAIL_1> und <IBAN_1>" in (second.request.content or b"")


async def test_redacted_stream_answer_is_restored_chunk_by_chunk(
    redact_harness: Harness,
) -> None:
    flow = await redact_harness.send(
        flow_for("api.openai.com", "/v1/chat/completions", chat(f"IBAN {IBAN}", stream=True))
    )
    flow.response = http.Response.make(200, b"", {"content-type": "text/event-stream"})
    redact_harness.guard.responseheaders(flow)
    stream = flow.response.stream
    assert callable(stream)
    events = [
        {"choices": [{"delta": {"content": part}}]} for part in ("Die <IB", "AN_1", "> ist ok")
    ]
    wire = b"".join(f"data: {json.dumps(e)}\n\n".encode() for e in events) + b"data: [DONE]\n\n"
    pieces = [p for i in range(0, len(wire), 5) for p in stream(wire[i : i + 5])]
    out = b"".join([*pieces, *stream(b"")])
    text = "".join(
        json.loads(line[6:])["choices"][0]["delta"].get("content", "")
        for line in out.decode().splitlines()
        if line.startswith("data: {")
    )
    assert text == f"Die {IBAN} ist ok"


async def test_redact_on_a_body_that_cannot_be_rewritten_blocks(redact_harness: Harness) -> None:
    flow = flow_for("api.openai.com", "/v1/files", f"IBAN {IBAN}".encode())
    flow.request.headers["content-type"] = "application/x-www-form-urlencoded"
    flow.request.content = f"purpose=x&note=IBAN {IBAN}".encode()
    await redact_harness.send(flow)
    assert flow.response is not None and flow.response.status_code == 403
    ((action, enforced, reasons),) = redact_harness.rows(
        "select action, enforced, reasons from decisions"
    )
    assert (action, enforced) == ("redact", "block") and "redact_unsupported" in str(reasons)


async def test_a_secret_next_to_redactable_data_blocks(redact_harness: Harness) -> None:
    key = "sk-proj-" + "A1b2C3d4E5f6G7h8J9k0L1m2N3p4Q5r6S7t8U9v0W1x2"
    flow = await redact_harness.send(
        flow_for("api.openai.com", "/v1/chat/completions", chat(f"IBAN {IBAN} key {key}"))
    )
    assert flow.response is not None and flow.response.status_code == 403


async def test_unreadable_inline_image_gets_the_unscanned_files_action(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY_V1 + "unscanned_files: block\n")
    image = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    body = {
        "model": "gpt-4o",
        "messages": [
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": image}}]}
        ],
    }
    with running_guard(tmp_path, leitplanke_policy=str(policy)) as harness:
        flow = await harness.send(
            flow_for("api.openai.com", "/v1/chat/completions", json.dumps(body).encode())
        )
        assert flow.response is not None and flow.response.status_code == 403
        ((reasons,),) = harness.rows("select reasons from decisions")
        assert "unscanned_files:1:block" in str(reasons)


async def test_large_bodies_are_decoded_and_extracted_off_the_event_loop() -> None:
    import threading

    from proxy_addon.guard import INLINE_BODY_BYTES, off_loop

    loop_thread = threading.get_ident()
    assert await off_loop(10, threading.get_ident) == loop_thread
    assert await off_loop(INLINE_BODY_BYTES + 1, threading.get_ident) != loop_thread


async def test_an_internal_error_fails_closed_instead_of_forwarding(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise LookupError("unknown charset")  # a bug of ours, not an ExtractError

    monkeypatch.setattr("proxy_addon.guard.read", broken)
    flow = await harness.send(flow_for("api.openai.com", "/v1/chat/completions", chat(IBAN)))
    assert flow.response is not None and flow.response.status_code == 403
    ((action, error),) = harness.rows("select action, error from decisions")
    assert action == "block" and error == "internal_error: LookupError"
