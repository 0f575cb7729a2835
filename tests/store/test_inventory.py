"""The usage inventory over real SQLite files written by FindingsStore."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from policy.loader import load_policy
from policy.model import Policy
from store.findings_store import FindingsStore
from store.inventory import (
    Inventory,
    InventoryError,
    ServiceRow,
    inventory,
    inventory_dict,
    open_database,
    parse_since,
    parse_until,
)
from store.records import DecisionRecord, FindingRecord, UsageRecord

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
# Default period in these tests: 30 days back from NOW; the previous period is the 30 before.
IN = NOW - timedelta(days=3)
BEFORE = NOW - timedelta(days=40)
LONG_AGO = NOW - timedelta(days=90)

POLICY = """\
version: 1
organization: Test GmbH
contact: it@example.com
data_classes:
  personal:
    label: {de: Personenbezogene Daten, en: Personal data}
    entities: [PERSON]
  secrets:
    label: {de: Zugangsdaten, en: Credentials}
    entities: [SECRET]
tools:
  chatgpt-team:
    name: ChatGPT Team
    services: [chatgpt]
    status: approved
    allowed: [personal]
  deepl:
    name: DeepL
    services: [deepl]
    status: tolerated
"""


def ts(when: datetime, minutes: int = 0) -> str:
    return (when + timedelta(minutes=minutes)).isoformat(timespec="milliseconds")


def usage(
    store: FindingsStore,
    service: str | None,
    user: str,
    when: datetime = IN,
    kind: str = "request",
    *,
    host: str | None = None,
    intercepted: bool = True,
    status: str | None = "unapproved",
    group: str | None = None,
    heuristic: str | None = None,
    bytes_up: int | None = 100,
) -> None:
    store.record_usage(
        UsageRecord(
            kind=kind,  # type: ignore[arg-type]
            service=service,
            host=host or f"{service}.example",
            intercepted=intercepted,
            user_pseudonym=user,
            user_group=group,
            tool_status=status,
            unknown_ai=service is None,
            heuristic=heuristic,
            method="POST" if kind == "request" else None,
            status=200 if kind == "request" else None,
            bytes_up=bytes_up if kind == "request" and intercepted else None,
            bytes_down=1000 if kind == "request" and intercepted else None,
            ts=ts(when),
        )
    )


def decision(
    store: FindingsStore,
    service: str,
    user: str,
    when: datetime = IN,
    *,
    action: str = "allow",
    enforced: str | None = None,
    findings: tuple[tuple[str, int], ...] = (),
    status: str = "unapproved",
    group: str | None = None,
) -> None:
    store.record(
        DecisionRecord(
            service=service,
            host=f"{service}.example",
            api="generic",
            tool=None,
            tool_status=status,
            user_pseudonym=user,
            user_group=group,
            action=action,
            enforced=enforced,
            reasons=(),
            data_classes=tuple(c for c, _ in findings),
            policy_version="1@test",
            findings=tuple(
                FindingRecord(c, "PERSON", n, 0.9, "<PERSON>", f"h{i}", "x:0-1")
                for i, (c, n) in enumerate(findings)
            ),
            ts=ts(when),
        )
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FindingsStore]:
    s = FindingsStore(tmp_path / "f.db")
    yield s
    s.close()


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> Policy:
    path = tmp_path_factory.mktemp("policy") / "policy.yaml"
    path.write_text(POLICY, encoding="utf-8")
    return load_policy(path).policy


def report(store: FindingsStore, **kwargs: object) -> Inventory:
    options: dict[str, object] = {"privacy_threshold": 1, "now": NOW, **kwargs}
    return inventory(store.db, timedelta(days=30), **options)  # type: ignore[arg-type]


def row(inv: Inventory, key: str) -> ServiceRow:
    return {r.key: r for r in inv.rows}[key]


# --- the period --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", timedelta(days=30)),
        ("12h", timedelta(hours=12)),
        ("2w", timedelta(weeks=2)),
        (" 7D ", timedelta(days=7)),
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T08:00", datetime(2026, 11, 1, 8, tzinfo=UTC)),
        ("2026-11-01T08:00+01:00", datetime(2026, 11, 1, 7, tzinfo=UTC)),
    ],
)
def test_parse_since(text: str, expected: timedelta | datetime) -> None:
    assert parse_since(text) == expected


@pytest.mark.parametrize("text", ["30x", "", "0d", "yesterday", "30", "-3d", "2026-13-01"])
def test_parse_since_rejects_bad_input_clearly(text: str) -> None:
    with pytest.raises(InventoryError, match=r"invalid period .*(30d|more than 0)"):
        parse_since(text)


def test_parse_until_includes_a_whole_day_and_reads_durations_as_ago() -> None:
    assert parse_until("2026-11-30") == datetime(2026, 12, 1, tzinfo=UTC)
    assert parse_until("2026-11-30T10:00") == datetime(2026, 11, 30, 10, tzinfo=UTC)
    assert parse_until("7d", NOW) == NOW - timedelta(days=7)


def test_period_bounds_and_previous_period(store: FindingsStore) -> None:
    inv = inventory(store.db, datetime(2026, 11, 1, tzinfo=UTC), NOW, now=NOW)
    assert inv.since == datetime(2026, 11, 1, tzinfo=UTC)
    assert inv.until == NOW
    assert inv.previous_since == inv.since - (NOW - inv.since)
    with pytest.raises(InventoryError, match="empty period"):
        inventory(store.db, NOW, NOW - timedelta(days=1), now=NOW)


# --- counting ----------------------------------------------------------------------------


def test_distinct_users_across_connections_requests_and_decisions(store: FindingsStore) -> None:
    usage(store, "chatgpt", "u-a", kind="connection")
    usage(store, "chatgpt", "u-a", kind="request")
    usage(store, "chatgpt", "u-a", kind="request")
    usage(store, "chatgpt", "u-b", kind="request")
    usage(store, "chatgpt", "u-c", kind="connection")
    decision(store, "chatgpt", "u-d")
    usage(store, "chatgpt", "u-e", LONG_AGO)  # outside both periods
    usage(store, "claude", "u-a")
    r = row(report(store), "chatgpt")
    assert r.users == 4
    assert (r.connections, r.requests, r.prompts_checked) == (2, 3, 1)
    assert r.tunnelled == 0
    assert r.bytes_up == 300 and r.bytes_down == 3000
    assert r.first_seen == ts(IN) and r.last_seen == ts(IN)
    assert report(store).users == 4  # u-a..u-d, also over services


def test_tunnelled_connections_and_connection_trend(store: FindingsStore) -> None:
    for user in ("u-a", "u-b"):
        usage(store, "deepseek", user, kind="connection", intercepted=False)
    usage(store, "deepseek", "u-a", kind="connection", intercepted=True)
    usage(store, "deepseek", "u-a", BEFORE, kind="connection", intercepted=False)
    r = row(report(store), "deepseek")
    assert (r.connections, r.tunnelled, r.requests) == (3, 2, 0)
    assert r.bytes_up == 0
    assert r.trend is not None
    assert r.trend.metric == "connections"
    assert (r.trend.current, r.trend.previous, r.trend.change) == (3, 1, 2)
    assert r.trend.percent == 200.0 and not r.trend.new


def test_trend_against_previous_period_and_new(store: FindingsStore) -> None:
    for _ in range(3):
        usage(store, "chatgpt", "u-a")
    for _ in range(2):
        usage(store, "chatgpt", "u-a", BEFORE)
    usage(store, "chatgpt", "u-a", LONG_AGO)  # before the previous period: not counted
    usage(store, "claude", "u-a")
    usage(store, "claude", "u-a", kind="connection", when=BEFORE)  # no requests before
    inv = report(store)
    chatgpt = row(inv, "chatgpt").trend
    assert chatgpt is not None
    assert (chatgpt.metric, chatgpt.current, chatgpt.previous) == ("requests", 3, 2)
    assert (chatgpt.change, chatgpt.percent, chatgpt.new) == (1, 50.0, False)
    claude = row(inv, "claude").trend
    assert claude is not None
    assert (claude.current, claude.previous, claude.percent, claude.new) == (1, 0, None, True)


def test_decisions_findings_blocked_and_warned(store: FindingsStore, policy: Policy) -> None:
    usage(store, "chatgpt", "u-a")
    decision(store, "chatgpt", "u-a", findings=(("personal", 2), ("secrets", 1)), action="block")
    decision(store, "chatgpt", "u-b", findings=(("personal", 1),), action="warn", enforced="warn")
    # warn enforced as a block (no inline coaching yet): counts as blocked
    decision(store, "chatgpt", "u-b", findings=(("personal", 1),), action="warn", enforced="block")
    decision(store, "chatgpt", "u-c")
    decision(store, "chatgpt", "u-c", BEFORE, findings=(("personal", 5),))
    inv = report(store, policy=policy)
    r = row(inv, "chatgpt")
    assert r.prompts_checked == 4
    assert (r.blocked, r.warned) == (2, 1)
    assert r.findings == {"personal": 4, "secrets": 1}
    assert r.findings_total == 5
    assert inv.data_classes == ("personal", "secrets")


def test_rows_are_ordered_by_users_then_requests(store: FindingsStore) -> None:
    usage(store, "claude", "u-a")
    for user in ("u-a", "u-b"):
        usage(store, "gemini", user)
    for _ in range(5):
        usage(store, "perplexity", "u-c")
    assert [r.key for r in report(store).rows] == ["gemini", "perplexity", "claude"]


# --- status and candidates ---------------------------------------------------------------


def test_status_comes_from_the_current_policy(store: FindingsStore, policy: Policy) -> None:
    # Recorded as unapproved at the time; the current policy approved ChatGPT since.
    usage(store, "chatgpt", "u-a", status="unapproved")
    usage(store, "deepl", "u-a", status="unapproved")
    usage(store, "deepseek", "u-a", status="tolerated")
    inv = report(store, policy=policy, policy_version="1@abc")
    assert inv.status_source == "policy" and inv.policy_version == "1@abc"
    assert (row(inv, "chatgpt").status, row(inv, "chatgpt").tool) == ("approved", "ChatGPT Team")
    assert (row(inv, "deepl").status, row(inv, "deepl").tool) == ("tolerated", "DeepL")
    assert (row(inv, "deepseek").status, row(inv, "deepseek").tool) == ("unapproved", None)


def test_without_policy_the_last_recorded_status_counts(store: FindingsStore) -> None:
    usage(store, "chatgpt", "u-a", IN - timedelta(days=1), status="unapproved")
    usage(store, "chatgpt", "u-a", IN, status="approved")
    decision(store, "deepl", "u-a", status="tolerated")
    usage(store, "claude", "u-a", status=None)
    inv = report(store)
    assert inv.status_source == "recorded"
    statuses = {r.key: r.status for r in inv.rows}
    assert statuses == {"chatgpt": "approved", "deepl": "tolerated", "claude": "unapproved"}


def test_candidates_are_popular_unapproved_tools(store: FindingsStore, policy: Policy) -> None:
    for user in ("u-a", "u-b", "u-c"):
        usage(store, "deepseek", user)  # 3 users
        usage(store, "chatgpt", user)  # approved: never a candidate
    for user in ("u-a", "u-b"):
        for _ in range(4):
            usage(store, "perplexity", user)  # 2 users, 8 requests
        usage(store, "deepl", user)  # tolerated, 2 users, 2 requests
    usage(store, "claude", "u-a")  # 1 user
    inv = report(store, policy=policy)
    assert [r.key for r in inv.candidates] == ["deepseek", "perplexity", "deepl"]
    inv3 = report(store, policy=policy, min_users=3)
    assert [r.key for r in inv3.candidates] == ["deepseek"]
    inv1 = report(store, policy=policy, min_users=1)
    assert [r.key for r in inv1.candidates][-1] == "claude"


def test_unknown_ai_hosts_are_listed_and_flagged(store: FindingsStore) -> None:
    for user in ("u-a", "u-b"):
        usage(store, None, user, host="chat.newai.example", heuristic="ai_keyword")
    usage(store, None, "u-a", host="Chat.NewAI.example", kind="connection", heuristic="ai_tld")
    usage(store, None, "u-c", host="llm.other.example", intercepted=False, kind="connection")
    usage(store, "chatgpt", "u-a")
    inv = report(store)
    assert [r.key for r in inv.services] == ["chatgpt"]
    hosts = {r.host: r for r in inv.unknown_hosts}
    assert set(hosts) == {"chat.newai.example", "llm.other.example"}
    newai = hosts["chat.newai.example"]
    assert newai.unknown_ai and newai.service is None and newai.name == "chat.newai.example"
    assert newai.heuristics == ("ai_keyword", "ai_tld")
    assert (newai.users, newai.requests, newai.connections) == (2, 2, 1)
    assert newai.status == "unapproved"
    assert newai.key == "host:chat.newai.example"
    assert [r.key for r in inv.candidates] == ["host:chat.newai.example"]
    assert hosts["llm.other.example"].tunnelled == 1


def test_catalog_names_vendors_and_facts(store: FindingsStore) -> None:
    usage(store, "deepl", "u-a")
    r = row(report(store), "deepl")
    assert (r.name, r.vendor) == ("DeepL Translator", "DeepL SE")
    # Category etc. appear once the catalog carries them; never a made-up value.
    assert all(value is not None for value in r.facts.values())


# --- privacy -----------------------------------------------------------------------------


def test_rows_below_the_privacy_threshold_withhold_every_number(store: FindingsStore) -> None:
    for user in ("u-a", "u-b", "u-c"):
        usage(store, "chatgpt", user, status="approved")
    usage(store, "deepseek", "u-a")
    decision(store, "deepseek", "u-a", findings=(("personal", 1),))
    inv = report(store, privacy_threshold=3, min_users=1)
    shown, withheld = row(inv, "chatgpt"), row(inv, "deepseek")
    assert not shown.withheld and shown.users == 3
    assert withheld.withheld and withheld.name == "DeepSeek" and withheld.status == "unapproved"
    for value in (
        withheld.users,
        withheld.connections,
        withheld.tunnelled,
        withheld.requests,
        withheld.prompts_checked,
        withheld.blocked,
        withheld.warned,
        withheld.findings,
        withheld.bytes_up,
        withheld.bytes_down,
        withheld.first_seen,
        withheld.last_seen,
        withheld.trend,
    ):
        assert value is None
    # Still a candidate (ordered on the true numbers), but without figures.
    assert [r.key for r in inv.candidates] == ["deepseek"]
    assert inv.users == 3
    assert report(store, privacy_threshold=4).users is None


def test_group_filter_and_small_groups(store: FindingsStore) -> None:
    for user in ("u-a", "u-b", "u-c"):
        usage(store, "chatgpt", user, group="sales")
    usage(store, "chatgpt", "u-d", group="hr")
    decision(store, "chatgpt", "u-d", group="hr", findings=(("personal", 1),))
    sales = report(store, group="sales", privacy_threshold=3)
    assert sales.group == "sales"
    assert (row(sales, "chatgpt").users, row(sales, "chatgpt").prompts_checked) == (3, 0)
    hr = report(store, group="hr", privacy_threshold=3)
    assert row(hr, "chatgpt").withheld  # one person's use is never shown
    assert hr.users is None
    assert report(store, group="nobody").empty


def test_no_pseudonym_reaches_the_report(store: FindingsStore) -> None:
    users = [f"u-secret-pseudonym-{i}" for i in range(4)]
    for user in users:
        usage(store, "chatgpt", user)
        usage(store, None, user, host="x.ai.example", heuristic="ai_keyword")
    decision(store, "chatgpt", users[0], findings=(("personal", 1),))
    text = json.dumps(inventory_dict(report(store)), default=str) + repr(report(store))
    assert "u-secret" not in text


def test_json_keys_are_stable(store: FindingsStore) -> None:
    usage(store, "chatgpt", "u-a")
    data = inventory_dict(report(store))
    assert list(data) == [
        "period",
        "generated",
        "group",
        "min_users",
        "privacy_threshold",
        "status_source",
        "policy_version",
        "users",
        "services",
        "candidates",
    ]
    assert list(data["period"]) == ["since", "until", "previous_since"]
    assert list(data["services"][0]) == [
        "service",
        "host",
        "name",
        "vendor",
        "category",
        "hq_country",
        "processing_region",
        "eu_data_residency",
        "status",
        "tool",
        "unknown_ai",
        "heuristics",
        "withheld",
        "users",
        "connections",
        "tunnelled",
        "requests",
        "prompts_checked",
        "blocked",
        "warned",
        "findings",
        "bytes_up",
        "bytes_down",
        "first_seen",
        "last_seen",
        "trend",
    ]
    assert list(data["services"][0]["trend"]) == [
        "metric",
        "current",
        "previous",
        "change",
        "percent",
        "new",
    ]
    assert data["period"]["since"] == "2026-10-31T12:00:00.000+00:00"


def test_limits_must_be_positive(store: FindingsStore) -> None:
    with pytest.raises(InventoryError):
        report(store, min_users=0)


# --- the database ------------------------------------------------------------------------


def test_empty_store_gives_an_empty_report(store: FindingsStore) -> None:
    inv = report(store)
    assert inv.empty and inv.rows == () and inv.candidates == ()


def test_database_without_tables_gives_an_empty_report(tmp_path: Path) -> None:
    path = tmp_path / "blank.db"
    sqlite3.connect(path).close()
    db = open_database(path)
    assert inventory(db, timedelta(days=30), now=NOW).empty


def test_open_database_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        open_database(tmp_path / "missing.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InventoryError, match="not a Leitplanke database"):
        open_database(junk)


def test_reads_read_only_while_the_gateway_writes(store: FindingsStore) -> None:
    usage(store, "chatgpt", "u-a")
    db = open_database(store.path)
    try:
        assert row(inventory(db, timedelta(days=30), now=NOW, privacy_threshold=1), "chatgpt")
        usage(store, "chatgpt", "u-b")  # the writer is not blocked by the reader
        again = inventory(db, timedelta(days=30), now=NOW, privacy_threshold=1)
        assert row(again, "chatgpt").users == 2
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            db.execute("delete from usage")
    finally:
        db.conn.close()


def test_works_on_a_plain_database_object(tmp_path: Path) -> None:
    s = FindingsStore(tmp_path / "p.db")
    usage(s, "chatgpt", "u-a")
    s.close()
    inv = inventory(Database(tmp_path / "p.db"), timedelta(days=30), now=NOW, privacy_threshold=1)
    assert [r.key for r in inv.rows] == ["chatgpt"]
