"""Discovery addon: usage rows for AI connections and requests, unknown AI flagged."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from mitmproxy import exceptions, http
from mitmproxy.addons.next_layer import NextLayer
from mitmproxy.test import taddons, tflow

from proxy_addon.discovery import Discovery
from proxy_addon.identify import Identify
from proxy_addon.intercept import Intercept
from proxy_addon.policy_source import PolicySource
from proxy_addon.recorder import Recorder

POLICY = """\
version: 1
organization: Muster GmbH
contact: datenschutz@muster.example
data_classes:
  personal: {label: {de: Personenbezogene Daten}, entities: [EMAIL_ADDRESS]}
tools:
  chatgpt-team: {name: ChatGPT Team, services: [chatgpt], status: approved, allowed: [personal]}
on_violation: {personal: block}
groups:
  vertrieb: {label: {de: Vertrieb}, users: [k.schmidt]}
"""


@dataclass
class Harness:
    discovery: Discovery
    recorder: Recorder
    db: Path
    tctx: taddons.context

    def rows(self, columns: str) -> list[tuple[object, ...]]:
        self.recorder.flush()
        with sqlite3.connect(self.db) as conn:
            return conn.execute(f"select {columns} from usage order by id").fetchall()


@contextmanager
def discovery(tmp_path: Path, **options: object) -> Iterator[Harness]:
    source = PolicySource()
    recorder = Recorder(source)
    intercept = Intercept(source)
    addon = Discovery(source, recorder, intercept)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, "utf-8")
    db = tmp_path / "f.db"
    with taddons.context(NextLayer(), source, recorder, intercept, addon) as tctx:
        tctx.configure(source, leitplanke_policy=str(policy), leitplanke_workers=0)
        tctx.configure(recorder, leitplanke_db=str(db))
        tctx.configure(intercept, **{k: v for k, v in options.items() if "passthrough" in k})
        tctx.configure(addon, **{k: v for k, v in options.items() if "discovery" in k})
        yield Harness(addon, recorder, db, tctx)
        source.done()
        recorder.done()


def connect(host: str, user: str | None = None) -> http.HTTPFlow:
    flow = tflow.tflow()
    flow.request.method = "CONNECT"
    flow.request.host, flow.request.port = host, 443
    if user:
        flow.metadata["proxyauth"] = (user, "pw")
    Identify().http_connect(flow)
    return flow


def request(host: str, user: str | None = None) -> http.HTTPFlow:
    flow = tflow.tflow(resp=True)
    flow.request.host, flow.request.port, flow.request.method = host, 443, "POST"
    flow.request.headers["host"] = host
    flow.request.content = b'{"q": "hallo"}'
    flow.response.content = b"answer!"
    if user:
        flow.metadata["proxyauth"] = (user, "pw")
    Identify().requestheaders(flow)
    return flow


def test_connection_and_request_rows_for_a_catalog_service(tmp_path: Path) -> None:
    with discovery(tmp_path) as h:
        h.discovery.http_connect(connect("chatgpt.com", "k.schmidt"))
        h.discovery.response(request("chatgpt.com", "k.schmidt"))
        rows = h.rows(
            "kind, service, host, intercepted, unknown_ai, tool, tool_status, user_group, "
            "method, status, bytes_up, bytes_down"
        )
    assert rows == [
        (
            "connection",
            "chatgpt",
            "chatgpt.com",
            1,
            0,
            "chatgpt-team",
            "approved",
            "vertrieb",
            None,
            None,
            None,
            None,
        ),
        (
            "request",
            "chatgpt",
            "chatgpt.com",
            1,
            0,
            "chatgpt-team",
            "approved",
            "vertrieb",
            "POST",
            200,
            14,
            7,
        ),
    ]


def test_user_is_stored_only_as_pseudonym(tmp_path: Path) -> None:
    with discovery(tmp_path) as h:
        h.discovery.http_connect(connect("claude.ai", "k.schmidt"))
        (pseudonym,) = h.rows("user_pseudonym")[0]
    assert pseudonym and "schmidt" not in str(pseudonym)
    assert b"k.schmidt" not in (tmp_path / "f.db").read_bytes()


def test_passthrough_service_is_recorded_as_tunnelled(tmp_path: Path) -> None:
    with discovery(tmp_path, leitplanke_passthrough=["deepl"]) as h:
        h.discovery.http_connect(connect("api.deepl.com"))
        assert h.rows("service, intercepted, tool_status") == [("deepl", 0, "unapproved")]


def test_unknown_ai_host_is_flagged_and_other_hosts_are_ignored(tmp_path: Path) -> None:
    with discovery(tmp_path) as h:
        h.discovery.http_connect(connect("chat.unknown-llm.ai"))
        h.discovery.http_connect(connect("www.sparkasse.de"))
        h.discovery.response(request("www.sparkasse.de"))
        rows = h.rows("service, host, unknown_ai, intercepted, heuristic")
    assert len(rows) == 1
    service, host, unknown, intercepted, heuristic = rows[0]
    assert (service, host, unknown, intercepted) == (None, "chat.unknown-llm.ai", 1, 0)
    assert heuristic


def test_discovery_can_be_switched_off(tmp_path: Path) -> None:
    with discovery(tmp_path, leitplanke_discovery=False) as h:
        h.discovery.http_connect(connect("chatgpt.com"))
        assert h.rows("id") == []


def test_a_missing_rules_file_is_an_option_error(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.yaml")
    with discovery(tmp_path) as h:
        with pytest.raises(exceptions.OptionsError, match="leitplanke_discovery_rules"):
            h.tctx.configure(h.discovery, leitplanke_discovery_rules=missing)
        h.discovery.http_connect(connect("chat.unknown-llm.ai"))  # old rules still active
        assert h.rows("unknown_ai") == [(1,)]
