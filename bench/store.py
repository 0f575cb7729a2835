"""Store benchmark: findings writes/s into a real SQLite file through the gateway's
own write path, with the review UI's queries running concurrently.

The writer is the gateway's own `Recorder`: `record()` as the Guard calls it for every
decision, its writer thread committing whatever queued up meanwhile in one transaction
(`FindingsStore.record_many`), with decision records built by
`store.records.finding_records` (a blocked prompt with an IBAN and an e-mail address:
one decision row, two finding rows), on a database opened like the Recorder opens it
(WAL, synchronous=NORMAL, the same busy timeout). The producer is held back when more
than BACKLOG rows wait, as a gateway's clients would be by their own latency. A reader
in another process (like Datasette) reads the first page of the review queue (the
`offene_findings` view, store/migrations.py m012) and a `count(*)` of the findings
in a loop meanwhile.
"""

from __future__ import annotations

import multiprocessing
import secrets
import sqlite3
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from bench.stats import summary
from checker.findings import Finding
from proxy_addon.recorder import BUSY_TIMEOUT_MS, Recorder
from store.findings_store import FindingsStore
from store.records import DecisionRecord, finding_records
from store.spool import Spool, default_spool_path

BACKLOG = 2_000  # rows waiting for the writer before the producer pauses
IBAN = "DE89 3704 0044 0532 0130 00"
EMAIL = "erika.mustermann@example.de"
PROMPT = f"Bitte überweise auf {IBAN} und schreib an {EMAIL}."
QUEUE_PAGE = 100  # rows of the queue a page shows


def decision_records(key: bytes, n: int) -> list[DecisionRecord]:
    """n blocked decisions, each with an IBAN and an e-mail finding (distinct users)."""
    iban_at, email_at = PROMPT.index(IBAN), PROMPT.index(EMAIL)
    findings = [
        Finding("IBAN_CODE", "personal", iban_at, iban_at + len(IBAN), 1.0, value=IBAN),
        Finding("EMAIL_ADDRESS", "personal", email_at, email_at + len(EMAIL), 1.0, value=EMAIL),
    ]
    rows = finding_records(key, findings, ["messages[0].content"])
    return [
        DecisionRecord(
            service="openai-api",
            host="api.openai.com",
            api="openai-chat",
            tool="openai-api",
            tool_status="approved",
            user_pseudonym=f"u-{i % 50:04d}",
            user_group="bench",
            action="block",
            reasons=("personal: block",),
            data_classes=("personal",),
            policy_version="bench",
            scan_ms=2.0,
            findings=rows,
        )
        for i in range(n)
    ]


def _reader(path: str, ready: Event, go: Event, stop: Event, results: Queue[Any]) -> None:
    """In a child process: the review queries in a loop until `stop`."""
    from review.views import QUEUE

    conn = sqlite3.connect(path, timeout=30)
    # The page Datasette serves for the queue view (store/migrations.py m012).
    queue_sql = f"select * from {QUEUE} order by ts desc limit {QUEUE_PAGE}"
    count_sql = "select count(*) from findings"
    latencies: dict[str, list[float]] = {"queue": [], "count": []}
    ready.set()
    go.wait()
    start = time.perf_counter()
    while not stop.is_set():
        for kind, sql in (("queue", queue_sql), ("count", count_sql)):
            t0 = time.perf_counter()
            conn.execute(sql).fetchall()
            latencies[kind].append((time.perf_counter() - t0) * 1000)
    seconds = time.perf_counter() - start
    conn.close()
    results.put({"seconds": seconds, "latencies": latencies})


def run_store(seconds: float, workdir: Path) -> dict[str, Any]:
    """Writes for `seconds` with a concurrent reader process; writes/s and queries/s."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "bench-store.db"
    store = FindingsStore(path)
    store.db.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
    rows = decision_records(secrets.token_bytes(32), 1000)
    pragmas = {
        name: store.db.execute(f"pragma {name}").fetchone()[0]
        for name in ("journal_mode", "synchronous")
    }
    context = multiprocessing.get_context("spawn")  # no fork of a threaded process
    ready, go, stop = context.Event(), context.Event(), context.Event()
    results: Queue[Any] = context.Queue()
    reader = context.Process(
        target=_reader, args=(str(path), ready, go, stop, results), daemon=True
    )
    reader.start()
    recorder = Recorder()
    recorder.store, recorder.spool = store, Spool(default_spool_path(str(path)))
    submitted = 0
    try:
        if not ready.wait(60):
            raise RuntimeError("the store benchmark's reader did not start")
        go.set()
        start = time.perf_counter()
        deadline = start + seconds
        while time.perf_counter() < deadline:
            if recorder.backlog() > BACKLOG:
                time.sleep(0.001)
                continue
            recorder.record(rows[submitted % len(rows)])
            submitted += 1
        recorder.flush()  # every submitted row is committed before the clock stops
        elapsed = time.perf_counter() - start
        stop.set()
        read = results.get(timeout=60)
    finally:
        stop.set()
        reader.join(timeout=10)
        if reader.is_alive():
            reader.kill()
            reader.join()
        recorder.done()  # stops the writer thread and closes the store
    written = _count(path, "decisions")
    if written != submitted or recorder.dropped:
        raise RuntimeError(f"store benchmark lost rows: {submitted} submitted, {written} written")
    queue_ms, count_ms = read["latencies"]["queue"], read["latencies"]["count"]
    queries = len(queue_ms) + len(count_ms)
    return {
        "seconds": round(elapsed, 2),
        "decisions_written": written,
        "findings_per_decision": len(rows[0].findings),
        "writes_per_s": round(written / elapsed, 1),
        "finding_rows_per_s": round(_count(path, "findings") / elapsed, 1),
        "reader_queries_per_s": round(queries / read["seconds"], 1),
        "reader_queue_query_ms": summary(queue_ms),
        "reader_count_query_ms": summary(count_ms),
        "sqlite": {**pragmas, "version": sqlite3.sqlite_version},
        "db_bytes": path.stat().st_size + _size(path.with_name(path.name + "-wal")),
    }


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"select count(*) from {table}").fetchone()[0])


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0
