"""Recorder: rows the database cannot take are spooled and replayed, none lost."""

from __future__ import annotations

import sqlite3
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from mitmproxy.test import taddons

from proxy_addon.recorder import Recorder
from store.findings_store import FindingsStore
from store.records import DecisionRecord, FindingRecord, UsageRecord
from store.spool import default_spool_path
from tests.records import openai_decision


def decision(n: int) -> DecisionRecord:
    finding = FindingRecord("personal", "IBAN_CODE", 1, 1.0, "DE89 **** 3000", f"h{n}", "body:0-27")
    return openai_decision(findings=(finding,))


@pytest.fixture
def recorder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    monkeypatch.setattr("proxy_addon.recorder.SPOOL_RETRY_S", 0.0)  # retry on every row
    addon = Recorder()
    with taddons.context(addon) as tctx:
        tctx.configure(addon, leitplanke_db=str(tmp_path / "f.db"))
        yield addon
        addon.done()


def rows(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"select count(*) from {table}").fetchone()[0])


@pytest.mark.parametrize("error", ["database is locked", "database or disk is full"])
def test_unwritable_database_spools_and_replays(
    recorder: Recorder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: str
) -> None:
    db = tmp_path / "f.db"

    def unavailable(*args: object) -> int:
        raise sqlite3.OperationalError(error)

    with monkeypatch.context() as broken:
        broken.setattr(FindingsStore, "record", unavailable)
        broken.setattr(FindingsStore, "record_usage", unavailable)
        broken.setattr(FindingsStore, "record_many", unavailable)  # the writer's batches
        for n in range(3):
            recorder.record(decision(n))
        recorder.record_usage(UsageRecord("connection", "claude", "claude.ai", True, "u-1", None))
        recorder.flush()
        spool = default_spool_path(db)
        assert rows(db, "decisions") == 0 and len(recorder.spool or []) == 4
        assert stat.S_IMODE(spool.stat().st_mode) == 0o600
        assert b"DE89 3704" not in spool.read_bytes()  # only the privacy-safe rows
    recorder.record(decision(3))  # writable again: the spool goes first, in order
    recorder.flush()
    assert rows(db, "decisions") == 4 and rows(db, "findings") == 4 and rows(db, "usage") == 1
    assert not spool.exists()
    with sqlite3.connect(db) as conn:
        hashes = [h for (h,) in conn.execute("select value_hash from findings order by id")]
    assert hashes == ["h0", "h1", "h2", "h3"]


def test_a_partial_replay_writes_nothing_twice(
    recorder: Recorder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real, real_many = FindingsStore.record, FindingsStore.record_many
    calls = {"n": 0}

    def fail_some() -> None:
        calls["n"] += 1
        if calls["n"] <= 2 or calls["n"] == 4:  # two fail, the replay fails half-way
            raise sqlite3.OperationalError("database is locked")

    def flaky(self: FindingsStore, row: DecisionRecord) -> int:  # replays: row by row
        fail_some()
        return real(self, row)

    def flaky_many(self: FindingsStore, rows: list[DecisionRecord]) -> None:  # new rows
        fail_some()
        real_many(self, rows)

    monkeypatch.setattr(FindingsStore, "record", flaky)
    monkeypatch.setattr(FindingsStore, "record_many", flaky_many)
    # One row per writer batch (flush after each), so every step below is one attempt.
    recorder.record(decision(0))  # spooled
    recorder.flush()
    recorder.record(decision(1))  # spooled
    recorder.flush()
    recorder.record(decision(2))  # replay writes 0, fails on 1 → 1, 2 spooled
    recorder.flush()
    recorder.record(decision(3))  # replay writes 1, 2, then 3
    recorder.flush()
    db = tmp_path / "f.db"
    with sqlite3.connect(db) as conn:
        hashes = [h for (h,) in conn.execute("select value_hash from findings order by id")]
    assert hashes == ["h0", "h1", "h2", "h3"]
    assert not default_spool_path(db).exists()


def test_while_the_database_is_out_rows_go_straight_to_the_spool(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("proxy_addon.recorder.SPOOL_RETRY_S", 3600.0)
    attempts = {"n": 0}

    def locked(*args: object) -> int:
        attempts["n"] += 1
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(FindingsStore, "record", locked)
    monkeypatch.setattr(FindingsStore, "record_many", locked)
    for n in range(5):
        recorder.record(decision(n))
    recorder.flush()
    assert attempts["n"] == 1  # one busy wait, then the spool until the retry time
    assert len(recorder.spool or []) == 5


def test_a_torn_last_line_costs_only_that_row(tmp_path: Path) -> None:
    from store.spool import Spool

    spool = Spool(tmp_path / "x.spool")
    spool.append(decision(0))
    with spool.path.open("a", encoding="utf-8") as handle:
        handle.write('{"kind": "decision", "row": {"serv')  # crash mid-append
    spool.append(decision(1))
    assert [r.findings[0].value_hash for r in spool.rows()] == ["h0", "h1"]  # type: ignore[union-attr]


def test_rows_that_queue_up_are_written_in_one_transaction(
    recorder: Recorder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under load the writer commits what queued up meanwhile at once (commits are what
    SQLite pays for); nothing is lost or reordered."""
    batches: list[int] = []
    real_many = FindingsStore.record_many
    release = threading.Event()

    def counted(self: FindingsStore, rows: list[DecisionRecord]) -> None:
        release.wait(10)  # the first batch holds the writer while the others queue up
        batches.append(len(rows))
        real_many(self, rows)

    monkeypatch.setattr(FindingsStore, "record_many", counted)
    recorder.record(decision(0))
    for n in range(1, 50):
        recorder.record(decision(n))
    release.set()
    recorder.flush()
    assert sum(batches) == 50 and len(batches) < 50 and max(batches) > 1
    with sqlite3.connect(tmp_path / "f.db") as conn:
        hashes = [h for (h,) in conn.execute("select value_hash from findings order by id")]
    assert hashes == [f"h{n}" for n in range(50)]
