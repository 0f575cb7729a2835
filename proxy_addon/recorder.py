"""The Recorder addon: decision and finding rows into the findings store, off the event loop."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from mitmproxy import ctx, exceptions, http

from pipeline.evaluation import Evaluation
from policy.decide import Applied
from proxy_addon import option_values
from proxy_addon.identify import HOST, identity_of
from proxy_addon.policy_source import PolicySource
from proxy_addon.siem_sink import SiemSink
from store.findings_store import FindingsStore
from store.keys import KeyFileError, default_key_path, load_or_create_key
from store.records import DecisionRecord, UsageRecord, finding_records
from store.spool import Spool, SpooledRow, default_spool_path

log = logging.getLogger(__name__)


PURGE_EVERY_S = 24 * 3600
SPOOL_RETRY_S = 5.0
BUSY_TIMEOUT_MS = 2000  # how long a write waits for a lock before the row is spooled
MAX_BATCH = 500  # rows per transaction at most (a long transaction blocks readers' checkpoints)


def _cannot(option: str, path: str | Path, exc: Exception) -> str:
    """One line for a file the gateway cannot create or open."""
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    if isinstance(exc, (FileExistsError, NotADirectoryError)):  # mkdir of a file's name
        reason = "a part of the path is a file, not a directory"
    if isinstance(exc, sqlite3.DatabaseError):  # the file is there, but is no database
        return (
            f"{option}: {str(path)!r} is not a Leitplanke database or is damaged ({reason}) "
            "— restore it from a backup, or move it away to start a new one"
        )
    return (
        f"{option}: cannot open or create {str(path)!r}: {reason} — choose a writable "
        "directory (e.g. /var/lib/leitplanke)"
    )


class Recorder:
    def __init__(self, source: PolicySource | None = None, siem: SiemSink | None = None) -> None:
        self.source = source  # for the policy's retention_days
        self.siem = siem  # live NIS2 log (off unless leitplanke_siem is set)
        self._purging: asyncio.Task[None] | None = None
        self.key: bytes = b""
        self.store: FindingsStore | None = None
        self.spool: Spool | None = None  # rows the database could not take, in order
        self._spooling = False
        self._retry_at = 0.0  # while spooling: when to try the database again
        self.dropped = 0  # rows neither written nor spooled (both disks full)
        # Called on the event loop with every decision and usage row (Metrics).
        self.observers: list[Callable[[SpooledRow], None]] = []
        # One writer thread: SQLite wants one writer, and the client's answer never
        # waits for the disk.
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="leitplanke-store")
        self._queue: list[SpooledRow] = []  # rows waiting for the writer thread
        self._queue_lock = threading.Lock()
        self._draining = False  # a drain task is queued or running in the writer

    def load(self, loader: object) -> None:
        add = loader.add_option  # type: ignore[attr-defined]
        add("leitplanke_db", str, "leitplanke.db", "Findings database (SQLite file).")
        add(
            "leitplanke_key_file",
            str,
            "",
            "Key file for value hashes and user pseudonyms; empty: '<db>.key'.",
        )

    def configure(self, updated: set[str]) -> None:
        if not option_values.settled():
            return
        if updated & {"leitplanke_db", "leitplanke_key_file"} or self.store is None:
            db, key_file = ctx.options.leitplanke_db, ctx.options.leitplanke_key_file
            key_option = "leitplanke_key_file" if key_file else "leitplanke_db"
            key_path = key_file or default_key_path(db)
            try:
                key = load_or_create_key(key_path)
            except KeyFileError as exc:
                raise exceptions.OptionsError(str(exc)) from exc
            except OSError as exc:  # a missing or read-only directory, a path under a file
                raise exceptions.OptionsError(_cannot(key_option, key_path, exc)) from None
            try:
                store = self._writer.submit(FindingsStore, Path(db)).result()
            except (OSError, sqlite3.Error) as exc:
                raise exceptions.OptionsError(_cannot("leitplanke_db", db, exc)) from None
            # Both opened: switch (a refused change keeps the old key and store).
            old, self.key, self.store = self.store, key, store
            self._writer.submit(
                self.store.db.execute, f"pragma busy_timeout = {BUSY_TIMEOUT_MS}"
            ).result()
            self.spool = Spool(default_spool_path(db))
            if old is not None:
                self._writer.submit(old.close)

    def running(self) -> None:
        if self.source is not None:
            self._purging = asyncio.get_running_loop().create_task(self._purge_daily())

    async def _purge_daily(self) -> None:
        while True:
            await asyncio.get_running_loop().run_in_executor(self._writer, self.purge)
            await asyncio.sleep(PURGE_EVERY_S)

    def purge(self) -> int:
        """Delete rows past the active policy's retention_days (runs in the writer thread)."""
        if self.store is None or self.source is None or self.source.active is None:
            return 0
        days = self.source.active.loaded.policy.privacy.retention_days
        deleted = self.store.purge(days)
        if deleted:
            log.info("leitplanke: deleted %d rows older than %d days", deleted, days)
        return deleted

    def record_decision(
        self,
        flow: http.HTTPFlow,
        evaluation: Evaluation,
        applied: Applied,
        coaching_ref: str | None = None,
    ) -> DecisionRecord:
        """One decision row (and its finding rows, no raw values) plus the log line;
        `coaching_ref` links it to a coaching link and its justification."""
        loaded, decision = evaluation.active.loaded, evaluation.decision
        service_id, api, group = evaluation.service.id, evaluation.api, evaluation.group
        enforced, scan_ms = applied.action, evaluation.scan_ms
        locations = [part.location for part in evaluation.parts]
        row = DecisionRecord(
            service=service_id,
            host=str(flow.metadata.get(HOST, flow.request.host)),
            api=api,
            tool=decision.tool,
            tool_status=decision.tool_status,
            user_pseudonym=identity_of(flow).label(loaded.policy),
            user_group=group,
            action=decision.action,
            enforced=enforced,
            mode=decision.mode,
            reasons=applied.reasons,
            data_classes=decision.data_classes,
            policy_version=loaded.version_id,
            scan_ms=round(scan_ms, 2) if scan_ms is not None else None,
            error=evaluation.error,
            findings=finding_records(
                self.key, evaluation.findings, locations, excerpt=loaded.policy.privacy.excerpt
            ),
            coaching_ref=coaching_ref,
        )
        counts = ", ".join(f"{f.entity_type}×{f.count}" for f in row.findings) or "clean"
        # Outside "enforce" the line says what the policy decided and what was done.
        mode = "" if decision.mode == "enforce" else f" mode={decision.mode} enforced={enforced}"
        log.info(
            "leitplanke: %s %s %s [%s] user=%s group=%s%s",
            decision.action,
            service_id,
            api,
            counts,
            row.user_pseudonym,
            group or "-",
            mode,
        )
        self.record(row)
        if self.siem is not None:
            self.siem.emit(row)
        for observe in self.observers:
            observe(row)
        return row

    def record(self, row: DecisionRecord) -> None:
        self._enqueue(row)

    def record_usage(self, row: UsageRecord) -> None:
        self._enqueue(row)
        if self.siem is not None:
            self.siem.emit(row)  # dropped by the sink unless leitplanke_siem_usage
        for observe in self.observers:
            observe(row)

    def backlog(self) -> int:
        """Rows handed to the Recorder and not yet given to the database."""
        with self._queue_lock:
            return len(self._queue)

    def _enqueue(self, row: SpooledRow) -> None:
        """Queue a row for the writer thread. Rows that arrive while it writes go in
        its next transaction together: one commit for many rows under load (commits,
        not rows, are what SQLite pays for), one row per commit when idle."""
        with self._queue_lock:
            self._queue.append(row)
            if self._draining:
                return
            self._draining = True
        future = self._writer.submit(self._drain)
        future.add_done_callback(_report_failure)

    def _drain(self) -> None:
        while True:
            with self._queue_lock:
                rows, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                if not rows:
                    self._draining = False
                    return
            try:
                self._write_or_spool(rows)
            except BaseException:
                with self._queue_lock:
                    self._draining = False  # the next row starts a new drain
                raise

    def _write_or_spool(self, rows: Sequence[SpooledRow]) -> None:
        """In the writer thread: write the rows in one transaction, or spool them when
        SQLite cannot take them (locked, disk full, I/O error); replay the spool once
        writing works again. While the database is unavailable, rows go straight to
        the spool and a write is retried at most every SPOOL_RETRY_S, so a locked
        database costs one busy timeout per retry, not one per row."""
        assert self.store is not None and self.spool is not None
        if self._spooling and time.monotonic() < self._retry_at:
            self._spool_all(rows)
            return
        try:
            if self.spool.pending:
                self._replay()
            self.store.record_many(rows)
        except sqlite3.OperationalError as exc:
            self._retry_at = time.monotonic() + SPOOL_RETRY_S
            if not self._spooling:
                log.error(
                    "leitplanke: database unavailable (%s); spooling to %s", exc, self.spool.path
                )
            self._spooling = True
            self._spool_all(rows)  # the transaction was rolled back: none is written
        except sqlite3.Error:
            # Not transient: spooling would only repeat it. One row at a time, so a
            # bad row costs only itself.
            for row in rows:
                try:
                    self._write(row)
                except sqlite3.Error as exc:
                    self.dropped += 1
                    log.error(
                        "leitplanke: row not written (%s); %d dropped so far",
                        type(exc).__name__,
                        self.dropped,
                    )

    def _spool_all(self, rows: Sequence[SpooledRow]) -> None:
        for row in rows:
            self._spool(row)

    def _spool(self, row: SpooledRow) -> None:
        assert self.spool is not None
        try:
            self.spool.append(row)
        except OSError as exc:  # the spool's disk is full too
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log.error(
                    "leitplanke: cannot spool (%s); %d rows dropped",
                    type(exc).__name__,
                    self.dropped,
                )

    def _write(self, row: SpooledRow) -> None:
        assert self.store is not None
        if isinstance(row, DecisionRecord):
            self.store.record(row)
        else:
            self.store.record_usage(row)

    def _replay(self) -> None:
        assert self.spool is not None
        rows = self.spool.rows()
        for done, row in enumerate(rows):
            try:
                self._write(row)
            except sqlite3.Error:
                self.spool.keep(rows[done:])  # written rows leave the spool: no duplicates
                raise
        self.spool.keep([])
        self._spooling = False
        log.info("leitplanke: database writable again; replayed %d spooled rows", len(rows))

    async def write[T](self, method: Callable[..., T], *args: Any) -> T:
        """Run one store call in the writer thread and wait for it (for pages whose
        confirmation must mean "stored", and reads of the store's own connection)."""
        return await asyncio.get_running_loop().run_in_executor(self._writer, method, *args)

    def flush(self) -> None:
        """Wait until every row handed to the writer is on disk."""
        self._writer.submit(lambda: None).result()

    def done(self) -> None:
        if self._purging is not None:
            self._purging.cancel()
        self._writer.shutdown(wait=True)  # flush findings before exit
        if self.store is not None:
            self.store.close()


def _report_failure(future: Future[Any]) -> None:
    if future.exception() is not None:
        log.error("leitplanke: could not write finding: %r", future.exception())
