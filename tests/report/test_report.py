"""Report numbers (report/data.py), wording (report/render.py), charts and the PDF
printer's error path, on a seeded SQLite month (tests/report/seed.py)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from policy.loader import load_policy
from policy.model import Policy
from report.data import OTHER, ReportData, ReportError, build_report, parse_period
from report.pdf import PdfError, find_chromium, html_to_pdf
from report.render import build_charts, build_view, policy_labels, render_html, render_markdown
from store.approvals import decide_approval
from store.findings_store import FindingsStore
from store.inventory import open_database
from store.records import ApprovalRequestRecord, UsageRecord
from tests.report.seed import ALL_USERS, POLICY, seed_month

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
NOVEMBER = parse_period("2026-11")


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_month(tmp_path_factory.mktemp("db") / "leitplanke.db")


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> Policy:
    path = tmp_path_factory.mktemp("policy") / "policy.yaml"
    path.write_text(POLICY, encoding="utf-8")
    return load_policy(path).policy


def build(db_path: Path, policy: Policy | None, **kwargs: object) -> ReportData:
    db = open_database(db_path)
    try:
        return build_report(db, NOVEMBER, policy=policy, now=NOW, **kwargs)  # type: ignore[arg-type]
    finally:
        db.conn.close()


@pytest.fixture(scope="module")
def data(db_path: Path, policy: Policy) -> ReportData:
    return build(db_path, policy)


# --- the period --------------------------------------------------------------------------


def test_periods() -> None:
    assert (NOVEMBER.start, NOVEMBER.end) == (
        datetime(2026, 11, 1, tzinfo=UTC),
        datetime(2026, 12, 1, tzinfo=UTC),
    )
    assert NOVEMBER.previous_label == "2026-10"
    january = parse_period("2027-01")
    assert january.previous_start == datetime(2026, 12, 1, tzinfo=UTC)
    q4 = parse_period("2026-Q4")
    assert (q4.start, q4.end, q4.label) == (
        datetime(2026, 10, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
        "2026-Q4",
    )
    assert parse_period("2026q1").previous_label == "2025-Q4"
    for bad in ("2026-13", "2026", "11-2026", "2026-Q5", ""):
        with pytest.raises(ReportError, match="invalid period"):
            parse_period(bad)


# --- the numbers -------------------------------------------------------------------------


def test_key_figures(data: ReportData) -> None:
    f = data.figures
    assert (f.prompts, f.with_findings, f.violations) == (42, 13, 11)
    assert f.actions == {"allow": 19, "log": 11, "warn": 4, "redact": 2, "block": 6}
    assert (f.users, f.tools) == (13, 6)
    assert (f.previous_prompts, f.previous_violations) == (10, 7)
    assert (data.open_requests, data.new_requests) == (2, 1)


def test_open_requests_are_those_open_at_the_end_of_the_period(tmp_path: Path) -> None:
    """Decided requests are not open; a request decided only after the period was open
    at its end; a question the person answered by asking again is open again."""
    path = tmp_path / "requests.db"
    store = FindingsStore(path)

    def asked(day: int, month: int = 11) -> int:
        when = datetime(2026, month, day, 9, 0, tzinfo=UTC).isoformat(timespec="milliseconds")
        return store.request_approval(
            ApprovalRequestRecord(
                service=None,
                tool_name=f"Tool {day}.{month}",
                reason="x",
                department="IT",
                user_pseudonym=f"u-{day}-{month}",
                user_group=None,
                ts=when,
            )
        ).id

    def answer(request_id: int, status: str, day: int, month: int = 11) -> None:
        when = datetime(2026, month, day, 12, 0, tzinfo=UTC).isoformat(timespec="milliseconds")
        with store.db.conn:
            decide_approval(store.db.conn, request_id, status, "", "dpo", ts=when)

    asked(2)  # still open
    answer(asked(3), "approved", 20)  # decided in November
    answer(asked(4), "rejected", 3, month=12)  # decided after November ends
    answered = asked(5)
    answer(answered, "needs_info", 10)
    with store.db.conn:  # the person asks again on the 12th: open again
        store.db.execute(
            "update approval_requests set last_ts = ?, status = 'open' where id = ?",
            ["2026-11-12T09:00:00.000+00:00", answered],
        )
    answer(asked(6), "needs_info", 25)  # waiting for the person at the end of November
    answer(asked(1, month=10), "approved", 2)  # October's, approved in November
    asked(5, month=12)  # December's: not yet asked in November
    store.close()
    november = build(path, None)
    assert (november.open_requests, november.new_requests) == (3, 3)
    db = open_database(path)
    try:
        december = build_report(db, parse_period("2026-12"), now=NOW)
    finally:
        db.conn.close()
    # In December the rejection is known, the needs-info one still waits, December's is new.
    assert (december.open_requests, december.new_requests) == (3, 1)


def test_violations_by_class_with_trend_and_weeks(data: ReportData) -> None:
    rows = {r.data_class: (r.prompts, r.values, r.previous) for r in data.classes}
    assert rows == {"personal": (7, 7, 3), "special": (2, 2, 0), "secrets": (2, 2, 4)}
    assert [r.data_class for r in data.classes] == ["personal", "special", "secrets"]
    assert [(w.year, w.week) for w in data.weeks] == [(2026, w) for w in range(44, 50)]
    assert sum(sum(w.counts.values()) for w in data.weeks) == 11


def test_departments_merge_small_ones_until_other_is_above_the_threshold(
    data: ReportData,
) -> None:
    rows = {d.key: d for d in data.departments}
    assert list(rows) == ["sales", "hr", OTHER]
    assert (rows["sales"].users, rows["sales"].prompts, rows["sales"].stopped) == (5, 21, 2)
    assert (rows["hr"].users, rows["hr"].prompts, rows["hr"].violations) == (4, 8, 5)
    other = rows[OTHER]
    assert other.merged == ("it", "legal")  # legal (1) alone would be "total minus the rest"
    assert (other.users, other.prompts, other.redacted) == (4, 13, 2)
    assert sum(d.prompts for d in data.departments) == 42


def test_threshold_one_shows_every_department_and_tool(db_path: Path, policy: Policy) -> None:
    data = build(db_path, policy, privacy_threshold=1)
    assert [d.key for d in data.departments] == ["sales", "it", "hr", "legal"]
    assert all(r.users is not None for r in data.tools)


def test_a_high_threshold_merges_everything_and_withholds_the_figure(
    db_path: Path, policy: Policy
) -> None:
    data = build(db_path, policy, privacy_threshold=20)
    assert [(d.key, d.merged, d.users) for d in data.departments] == [
        (OTHER, ("hr", "it", "legal", "sales"), None)
    ]
    assert data.figures.users is None and not data.candidates[0].users
    view = build_view(data, "de", policy_labels(policy, "de"))
    assert view.departments is not None
    assert view.departments.rows[0][:2] == ("Sonstige (4 Gruppen)", "< 20")


def test_without_any_group_there_is_no_department_table(tmp_path: Path) -> None:
    store = FindingsStore(tmp_path / "f.db")
    for i in range(4):
        store.record_usage(
            UsageRecord(
                kind="request",
                service="chatgpt",
                host="chatgpt.com",
                intercepted=True,
                user_pseudonym=f"u-nogroup{i}",
                user_group=None,
                ts="2026-11-05T10:00:00.000+00:00",
            )
        )
    store.close()
    db = open_database(tmp_path / "f.db")
    data = build_report(db, NOVEMBER, now=NOW)
    db.conn.close()
    assert [(d.key, d.merged, d.users) for d in data.departments] == [(OTHER, ("",), 4)]
    view = build_view(data, "en", policy_labels(None, "en"))
    assert view.departments is None
    html = render_html(view, {})
    assert "No departments recorded" in html and "u-nogroup" not in html


def test_candidates_come_from_the_inventory(data: ReportData) -> None:
    assert [(r.service, r.users) for r in data.candidates] == [
        ("perplexity", 5),
        ("deepl", 4),
        ("mistral", 3),
        ("claude", None),  # two people: a candidate, but without figures
    ]
    assert {r.service: r.users for r in data.tools}["deepseek"] is None


def test_coaching_effect(data: ReportData, db_path: Path, policy: Policy) -> None:
    c = data.coaching
    assert (c.stops, c.cases, c.proceeded, c.abandoned) == (4, 3, 1, 2)
    assert (c.justifications, c.justified_prompts) == (2, 1)
    wider = build(db_path, policy, coaching_window_minutes=60).coaching
    assert (wider.cases, wider.proceeded, wider.abandoned) == (3, 2, 1)
    narrow = build(db_path, policy, coaching_window_minutes=5).coaching
    # 10 minutes between the first two stops: two cases now; the justification 2
    # minutes after the second stop still follows it.
    assert (narrow.cases, narrow.proceeded) == (4, 1)


def test_without_policy_status_is_as_recorded(db_path: Path) -> None:
    data = build(db_path, None)
    assert data.inventory.status_source == "recorded"
    assert {r.service: r.status for r in data.tools}["deepl"] == "tolerated"
    assert data.organization is None


def test_empty_month_and_a_database_without_tables(db_path: Path, tmp_path: Path) -> None:
    db = open_database(db_path)
    try:
        empty = build_report(db, parse_period("2025-01"), now=NOW)
    finally:
        db.conn.close()
    assert empty.empty and empty.figures.prompts == 0 and not empty.departments
    bare = tmp_path / "bare.db"
    sqlite3.connect(bare).close()
    nothing = build_report(Database(sqlite3.connect(bare)), NOVEMBER, now=NOW)
    assert nothing.empty and nothing.coaching.cases == 0 and nothing.open_requests == 0
    view = build_view(nothing, "en", policy_labels(None, "en"))
    assert "no data" in render_html(view, {})
    assert "no data" in render_markdown(view)


def test_fresh_store_month(tmp_path: Path) -> None:
    FindingsStore(tmp_path / "f.db").close()
    db = open_database(tmp_path / "f.db")
    assert build_report(db, NOVEMBER, now=NOW).empty
    db.conn.close()


# --- wording and charts ------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["de", "en"])
def test_view_and_outputs(data: ReportData, policy: Policy, lang: str) -> None:
    labels = policy_labels(policy, lang)  # type: ignore[arg-type]
    view = build_view(data, lang, labels)  # type: ignore[arg-type]
    charts = build_charts(data, lang, labels)  # type: ignore[arg-type]
    assert set(charts) == {"weeks", "tools", "actions"}
    html = render_html(view, charts)
    md = render_markdown(view)
    share = "26,2 %" if lang == "de" else "26.2%"
    other = "Sonstige (2 Gruppen)" if lang == "de" else "Other (2 groups)"
    personal = "Personenbezogene Daten" if lang == "de" else "Personal data"
    sales = "Vertrieb" if lang == "de" else "Sales"
    for text in (html, md):
        for needle in ("42", share, other, personal, sales, "Perplexity", "Muster GmbH"):
            assert needle in text, needle
        assert "+4 (+133" in text
    assert len(view.summary) == 3
    assert "Perplexity" in view.summary[2]
    for user in ALL_USERS:
        assert user not in html and user not in md
    for stored in ("<IBAN>", "hash0", "messages[0]", "zugestimmt", "Recherche"):
        assert stored not in html and stored not in md


def test_charts_are_deterministic_png_and_svg(data: ReportData, policy: Policy) -> None:
    labels = policy_labels(policy, "de")
    first = build_charts(data, "de", labels)
    second = build_charts(data, "de", labels)
    assert {n: c.data for n, c in first.items()} == {n: c.data for n, c in second.items()}
    assert first["tools"].data.startswith(b"\x89PNG")
    assert first["tools"].uri.startswith("data:image/png;base64,")
    svg = build_charts(data, "de", labels, "svg")
    assert svg["weeks"].data == build_charts(data, "de", labels, "svg")["weeks"].data
    assert svg["weeks"].uri.startswith("data:image/svg+xml;base64,")


def test_missing_chromium_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LEITPLANKE_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PdfError, match="needs Chromium"):
        find_chromium()
    with pytest.raises(PdfError, match="not found at"):
        html_to_pdf("<p>x</p>", tmp_path / "x.pdf", chromium="/nonexistent/chromium")
    assert not (tmp_path / "x.pdf").exists()


def test_a_failing_browser_is_reported(tmp_path: Path) -> None:
    fake = tmp_path / "fake-chromium"
    fake.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(PdfError, match=r"exit status 3[\s\S]*cannot open display"):
        html_to_pdf("<p>x</p>", tmp_path / "x.pdf", chromium=str(fake))
    slow = tmp_path / "slow-chromium"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(0o755)
    with pytest.raises(PdfError, match=r"within 0\.5 s"):
        html_to_pdf("<p>x</p>", tmp_path / "x.pdf", chromium=str(slow), timeout=0.5)
