"""Run scans off the event loop: worker processes (real parallelism, no GIL contention
with mitmproxy) or, with workers=0, one background thread (tests, tiny setups).

Each worker process scans one request at a time. A scan has a deadline (its timeout,
counted from the request, queue wait included); when the deadline passes while a
worker is still on it, that worker is killed (SIGTERM, SIGKILL after KILL_GRACE_S) and
a fresh one is started, which builds its engine before it takes the next request. So
an input that is slow to scan costs its own request (a TimeoutError, the fail mode
applies) and one worker warm-up — never the requests after it. A request waiting for a
free worker fails at its own deadline, not at a stuck one's. A worker that dies (OOM
killer, crash) fails its scan with WorkerDied and is replaced the same way.

One supervisor thread per pool moves requests to idle workers and waits on the
workers' pipes, their process sentinels and the nearest deadline
(`multiprocessing.connection.wait`); callers await a concurrent Future from any
event loop. ProcessPoolExecutor could do neither: it cannot kill one worker, and a
timed-out task kept its worker busy for every later request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import socket
import threading
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, InvalidStateError, ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any

from checker.config import ScanConfig
from checker.findings import Finding
from checker.pool_worker import worker_main
from checker.precheck import any_trigger, light_prefilter
from checker.prefilter import Prefilter

if TYPE_CHECKING:
    from checker.scan import Scanner

log = logging.getLogger(__name__)

# Prompts up to this size are first checked for any trigger in the gateway process (a
# fraction of a millisecond, in a thread); without one they need no worker at all.
PRECHECK_MAX_CHARS = 64 * 1024
KILL_GRACE_S = 1.0  # SIGTERM first, SIGKILL after this
# A caller stops waiting this long after its deadline even if the supervisor has not
# answered (it always should: this only guards against a bug of ours).
ANSWER_SLACK_S = 5.0
# A worker that fails while building its engine is restarted after 1, 2, 4 … s.
MAX_BACKOFF_S = 30.0


class WorkerDied(RuntimeError):
    """The worker process died while scanning this request (OOM killer, crash)."""


class ScanFailed(RuntimeError):
    """The scan raised in the worker; the message names the exception type and place."""


class PoolClosed(RuntimeError):
    """The pool was closed (gateway shutdown) before this request was scanned."""


@dataclass(eq=False)
class _Job:
    texts: list[str]
    deadline: float | None  # time.monotonic(); None: no timeout
    future: Future[list[Finding]] = field(default_factory=Future)


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection  # requests and answers
    lifeline: Connection  # closing it stops the worker (see pool_worker)
    ready: bool = False  # built its engine
    failed: bool = False  # said it could not build its engine
    eof: bool = False  # its pipe is closed: wait for its exit only
    job: _Job | None = None
    kill_at: float | None = None  # set once terminated: SIGKILL when still alive then


def _settle(
    future: Future[list[Finding]],
    result: list[Finding] | None = None,
    error: BaseException | None = None,
) -> None:
    """Answer a caller; a caller that gave up (cancelled) no longer needs it."""
    try:
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result or [])
    except InvalidStateError:
        pass


class ScanPool:
    """`await pool.scan(texts, timeout=...)`; kills and replaces a worker whose scan
    passes its deadline, and replaces one that dies."""

    def __init__(self, config: ScanConfig, workers: int = 1) -> None:
        self.config = config
        self.workers = workers
        self.restarts = 0  # workers replaced after a kill or a death
        self.kills = 0  # workers killed because their scan passed its deadline
        self.prechecked_clean = 0  # scans answered without a worker
        self._closed = False
        self._scanner: Scanner | None = None  # thread mode only
        self._thread: ThreadPoolExecutor | None = None  # thread mode only
        self._prefilter: Prefilter | None = None
        self._precheck: ThreadPoolExecutor | None = None
        # Process mode: everything below is guarded by _lock.
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # worker ready / failed
        self._started = False
        self._stopping = False  # close(): finish (or fail) what is there, then stop
        self._pool: list[_Worker] = []
        self._queue: deque[_Job] = deque()
        self._failures = 0  # engine builds that failed in a row
        self._last_failure = ""
        self._respawn_at: float | None = None
        self._wake_r: socket.socket | None = None  # wakes the supervisor
        self._wake_w: socket.socket | None = None
        self._supervisor: threading.Thread | None = None

    @property
    def closed(self) -> bool:
        """Replaced by a policy switch; new scans belong to the new pool."""
        return self._closed

    # ---- lifecycle -------------------------------------------------------------
    def start(self) -> None:
        if self._closed:
            # A replaced pool must not come back to life for a late caller.
            raise RuntimeError("scan pool is closed")
        if self.workers <= 0:
            if self._thread is None:
                # In-process scanning (tests, `leitplanke check`): only here does this
                # process import Presidio and spaCy; the gateway's workers do it instead.
                from checker.scan import Scanner

                self._scanner = Scanner(self.config)
                self._thread = ThreadPoolExecutor(1, thread_name_prefix="leitplanke-scan")
            return
        with self._lock:
            if self._started:
                return
            self._started = True
            self._wake_r, self._wake_w = socket.socketpair()
            self._wake_r.setblocking(False)
            self._wake_w.setblocking(False)
            for _ in range(self.workers):
                self._pool.append(self._spawn())
        self._prefilter = light_prefilter(self.config)
        if self._prefilter is not None:
            self._precheck = ThreadPoolExecutor(1, thread_name_prefix="leitplanke-precheck")
        self._supervisor = threading.Thread(
            target=self._supervise, name="leitplanke-scan-pool", daemon=True
        )
        self._supervisor.start()

    def warm_up(self) -> None:
        """Block until every worker has built its engine (slow: seconds), so the
        first real prompt does not pay for it. Raises when a worker cannot start."""
        self.start()
        if self.workers <= 0:
            assert self._scanner is not None and self._thread is not None
            self._thread.submit(self._scanner.scan, ["warm-up"]).result()
            return
        with self._changed:
            while sum(w.ready for w in self._pool) < self.workers:
                if self._failures:
                    raise RuntimeError(f"checker worker failed to start: {self._last_failure}")
                if self._stopping:
                    raise RuntimeError("scan pool is closed")
                self._changed.wait()

    def close(self, wait_for_running: bool = False) -> None:
        """Stop the workers; with wait_for_running, the scans already submitted still
        finish (a policy switch must not fail the requests in flight), else they fail
        with PoolClosed."""
        self._closed = True
        if self._precheck is not None:
            self._precheck.shutdown(wait=False)
            self._precheck = None
        if self._thread is not None:
            self._thread.shutdown(wait=False, cancel_futures=not wait_for_running)
            self._thread = None
        with self._lock:
            if not self._started or self._stopping:
                return
            self._stopping = True
            if not wait_for_running:
                self._fail_all(PoolClosed("the scan pool was closed"))
            self._changed.notify_all()
        self._wake()

    # ---- scanning --------------------------------------------------------------
    async def scan(
        self, texts: Sequence[str], timeout: float | None = None, precheck: bool = True
    ) -> list[Finding]:
        """Findings in `texts`; with `precheck`, texts without any trigger are answered
        here (a health probe passes False: it must reach a worker). Raises TimeoutError
        when `timeout` seconds pass first, WorkerDied, ScanFailed or PoolClosed."""
        self.start()
        loop = asyncio.get_running_loop()
        if (
            precheck
            and self._precheck is not None
            and sum(map(len, texts)) <= PRECHECK_MAX_CHARS
            and not await loop.run_in_executor(self._precheck, self._any_trigger, list(texts))
        ):
            self.prechecked_clean += 1
            return []
        if self._thread is not None:
            assert self._scanner is not None
            return await asyncio.wait_for(
                loop.run_in_executor(self._thread, self._scanner.scan, list(texts)), timeout
            )
        job = _Job(list(texts), None if timeout is None else time.monotonic() + timeout)
        with self._lock:
            if self._stopping:
                raise RuntimeError("scan pool is closed")
            self._queue.append(job)
        self._wake()
        # The supervisor answers at the deadline at the latest; the slack only guards
        # against one that cannot (a bug). Cancelling the wait drops a queued request.
        slack = None if timeout is None else timeout + ANSWER_SLACK_S
        return await asyncio.wait_for(asyncio.wrap_future(job.future), slack)

    def _any_trigger(self, texts: list[str]) -> bool:
        """As the scanner sees the texts: normalised, and with the seams between parts
        (a value split into parts that have no trigger alone)."""
        assert self._prefilter is not None
        return any_trigger(self._prefilter, texts)

    # ---- workers ---------------------------------------------------------------
    def _spawn(self) -> _Worker:
        # forkserver, not fork: mitmproxy's process has threads and an event loop.
        ctx = multiprocessing.get_context("forkserver")
        conn, child_conn = ctx.Pipe()
        their_lifeline, lifeline = ctx.Pipe(duplex=False)
        process = ctx.Process(
            target=worker_main,
            args=(child_conn, their_lifeline, self.config),
            name="leitplanke-checker",
            daemon=True,
        )
        process.start()
        child_conn.close()
        their_lifeline.close()
        return _Worker(process, conn, lifeline)

    def _wake(self) -> None:
        # Fails when already woken (buffer full) or stopped (closed socket): both fine.
        with contextlib.suppress(OSError):
            if self._wake_w is not None:
                self._wake_w.send(b"x")

    def _supervise(self) -> None:
        try:
            while self._step():
                pass
        except Exception:  # a bug here must not leave callers waiting for ever
            log.exception("leitplanke: checker pool supervisor failed")
            with self._lock:
                self._stopping = True
                self._fail_all(PoolClosed("the checker pool failed"))
        finally:
            self._shutdown()

    def _step(self) -> bool:
        """One round: hand out requests, wait for something to happen, handle it.
        False when the pool is done."""
        assert self._wake_r is not None
        with self._lock:
            now = time.monotonic()
            self._expire(now)
            self._assign()
            self._respawn(now)
            if self._stopping and not self._queue and not any(w.job for w in self._pool):
                return False
            waitables: list[Any] = [self._wake_r]
            for w in self._pool:
                waitables += [w.process.sentinel] if w.eof else [w.conn, w.process.sentinel]
            timeout = self._next_timer(now)
        ready = set(wait(waitables, timeout))
        with self._lock:
            if self._wake_r in ready:
                with contextlib.suppress(BlockingIOError):
                    self._wake_r.recv(4096)
            for w in list(self._pool):
                if w.conn in ready or w.process.sentinel in ready:
                    self._handle(w)
        return True

    def _next_timer(self, now: float) -> float | None:
        times = [j.deadline for j in self._queue if j.deadline is not None]
        times += [w.job.deadline for w in self._pool if w.job and w.job.deadline is not None]
        times += [w.kill_at for w in self._pool if w.kill_at is not None]
        if self._respawn_at is not None:
            times.append(self._respawn_at)
        return max(0.0, min(times) - now) if times else None

    def _assign(self) -> None:
        for w in self._pool:
            if not w.ready or w.eof or w.job is not None or w.kill_at is not None:
                continue
            job = self._next_job()
            if job is None:
                return
            try:
                w.conn.send(job.texts)
            except (OSError, ValueError):  # died while idle: its sentinel says so next
                self._queue.appendleft(job)
                w.eof = True
                continue
            w.job = job

    def _next_job(self) -> _Job | None:
        while self._queue:
            job = self._queue.popleft()
            # A queued request whose caller gave up (cancelled) is skipped; one that
            # is already running was put back after a failed send.
            if job.future.running() or job.future.set_running_or_notify_cancel():
                return job
        return None

    def _expire(self, now: float) -> None:
        for job in [j for j in self._queue if j.deadline is not None and j.deadline <= now]:
            self._queue.remove(job)
            _settle(job.future, error=TimeoutError("no checker worker was free in time"))
        for w in list(self._pool):
            if w.job and w.job.deadline is not None and w.job.deadline <= now:
                log.error("leitplanke: a scan ran past its timeout; killing its checker worker")
                self.kills += 1
                job, w.job = w.job, None
                # Replace first, then answer: whoever sees the timeout also sees the
                # replacement counted (kills and restarts move together).
                self._retire(w)
                _settle(job.future, error=TimeoutError("the scan ran past its timeout"))
            elif w.kill_at is not None and w.kill_at <= now:
                w.process.kill()
                w.kill_at = now + KILL_GRACE_S

    def _retire(self, w: _Worker) -> None:
        """Stop a worker and start its replacement at once (the old one may take up to
        KILL_GRACE_S to go; it is reaped when its sentinel fires)."""
        w.ready = False
        w.process.terminate()
        w.kill_at = time.monotonic() + KILL_GRACE_S
        self.restarts += 1
        self._pool.append(self._spawn())

    def _handle(self, w: _Worker) -> None:
        """A message from `w`, or its exit."""
        message = None
        if not w.eof:
            try:
                if w.conn.poll():
                    message = w.conn.recv()
            except (EOFError, OSError):
                w.eof = True
        if message is not None:
            kind, payload = message
            if kind == "ready":
                w.ready = True
                self._failures = 0
                self._changed.notify_all()
            elif kind == "failed":
                w.failed = True
                self._failures += 1
                self._last_failure = str(payload)
                log.error("leitplanke: a checker worker failed to start: %s", payload)
                self._changed.notify_all()
            elif w.job is not None:
                job, w.job = w.job, None
                if kind == "ok":
                    _settle(job.future, result=payload)
                else:
                    _settle(job.future, error=ScanFailed(f"{payload} in the checker worker"))
            if w.process.is_alive():
                return
        if w.process.is_alive():
            return
        w.process.join()  # reaped: no zombie
        w.conn.close()
        w.lifeline.close()
        self._pool.remove(w)
        if w.kill_at is not None:
            return  # retired: its replacement is already starting
        if w.job is not None:
            log.error("leitplanke: a checker worker died while scanning")
            _settle(w.job.future, error=WorkerDied("the checker worker died during the scan"))
            w.job = None
        if not w.ready:
            # Its engine did not build: try again later, not in a tight loop.
            if not w.failed:
                self._failures += 1
                self._last_failure = f"exited while starting (code {w.process.exitcode})"
                self._changed.notify_all()
            delay = min(MAX_BACKOFF_S, 2.0 ** (self._failures - 1))
            self._respawn_at = time.monotonic() + delay
            return
        log.error("leitplanke: a checker worker died; starting a new one")
        self.restarts += 1
        self._pool.append(self._spawn())

    def _respawn(self, now: float) -> None:
        if self._respawn_at is None or self._respawn_at > now:
            return
        self._respawn_at = None
        missing = self.workers - sum(1 for w in self._pool if w.kill_at is None)
        for _ in range(missing):
            self.restarts += 1
            self._pool.append(self._spawn())

    def _fail_all(self, error: Exception) -> None:
        while self._queue:
            _settle(self._queue.popleft().future, error=error)
        for w in self._pool:
            if w.job is not None:
                _settle(w.job.future, error=error)
                w.job = None

    def _shutdown(self) -> None:
        """Stop every worker (lifeline first, then SIGTERM/SIGKILL) and reap it."""
        with self._lock:
            workers, self._pool = self._pool, []
            self._changed.notify_all()
        for w in workers:
            w.lifeline.close()
        deadline = time.monotonic() + KILL_GRACE_S
        for w in workers:
            w.process.join(max(0.0, deadline - time.monotonic()))
            if w.process.is_alive():
                w.process.terminate()
                w.process.join(KILL_GRACE_S)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()
        with self._lock:
            for end in (self._wake_w, self._wake_r):
                if end is not None:
                    end.close()
