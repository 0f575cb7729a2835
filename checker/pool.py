"""Run scans off the event loop: a process pool (real parallelism, no GIL contention
with mitmproxy) or, with workers=0, one background thread (tests, tiny setups)."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from checker.config import ScanConfig
from checker.findings import Finding
from checker.prefilter import Prefilter
from checker.scan import Scanner, light_prefilter

log = logging.getLogger(__name__)

_worker_scanner: Scanner | None = None  # one per worker process
# Prompts up to this size are first checked for any trigger in the gateway process (a
# fraction of a millisecond, in a thread); without one they need no worker at all.
PRECHECK_MAX_CHARS = 64 * 1024


def _init_worker(config: ScanConfig) -> None:
    global _worker_scanner
    # The gateway stops its workers itself (ScanPool.close): a Ctrl-C or a hangup sent
    # to the whole process group must not kill them mid-scan or print tracebacks.
    for number in (signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)
    _worker_scanner = Scanner(config)


def _scan_in_worker(texts: Sequence[str]) -> list[Finding]:
    assert _worker_scanner is not None, "worker not initialised"
    return _worker_scanner.scan(texts)


class ScanPool:
    """`await pool.scan(texts)`; rebuilds itself when a worker process dies."""

    def __init__(self, config: ScanConfig, workers: int = 1) -> None:
        self.config = config
        self.workers = workers
        self._executor: Executor | None = None
        self._scanner: Scanner | None = None  # thread mode only
        self.restarts = 0
        self._closed = False
        self._prefilter: Prefilter | None = None
        self._precheck: ThreadPoolExecutor | None = None
        self.prechecked_clean = 0  # scans answered without a worker

    @property
    def closed(self) -> bool:
        """Replaced by a policy switch; new scans belong to the new pool."""
        return self._closed

    def start(self) -> None:
        if self._executor is not None:
            return
        if self._closed:
            # A replaced pool must not come back to life for a late caller.
            raise RuntimeError("scan pool is closed")
        if self.workers <= 0:
            self._scanner = Scanner(self.config)
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="leitplanke-scan")
        else:
            # forkserver, not fork: mitmproxy's process has threads and an event loop.
            ctx = multiprocessing.get_context("forkserver")
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=ctx, initializer=_init_worker, initargs=(self.config,)
            )
            if self._precheck is None:
                self._prefilter = light_prefilter(self.config)
            if self._prefilter is not None and self._precheck is None:
                self._precheck = ThreadPoolExecutor(1, thread_name_prefix="leitplanke-precheck")

    def warm_up(self) -> None:
        """Block until every worker has built its engine (slow: seconds), so the
        first real prompt does not pay for it."""
        self.start()
        assert self._executor is not None
        futures = [
            self._executor.submit(self._function(), ["warm-up"])
            for _ in range(max(1, self.workers))
        ]
        for future in futures:
            future.result()

    def _function(self) -> Callable[[Sequence[str]], list[Finding]]:
        return self._scanner.scan if self._scanner is not None else _scan_in_worker

    async def scan(
        self, texts: Sequence[str], timeout: float | None = None, precheck: bool = True
    ) -> list[Finding]:
        """Findings in `texts`; with `precheck`, texts without any trigger are answered
        here (a health probe passes False: it must reach a worker)."""
        self.start()
        assert self._executor is not None
        loop = asyncio.get_running_loop()
        small = sum(map(len, texts)) <= PRECHECK_MAX_CHARS
        if (
            precheck
            and self._precheck is not None
            and small
            and not await loop.run_in_executor(self._precheck, self._any_trigger, list(texts))
        ):
            self.prechecked_clean += 1
            return []
        try:
            # submit() itself raises once the executor has noticed a dead worker, so
            # it belongs inside the try, or the pool would stay broken for good.
            future = loop.run_in_executor(self._executor, self._function(), list(texts))
            return await asyncio.wait_for(future, timeout)
        except BrokenProcessPool:
            self._restart()
            raise

    def _any_trigger(self, texts: list[str]) -> bool:
        assert self._prefilter is not None
        return any(text.strip() and self._prefilter.windows(text) for text in texts)

    def _restart(self) -> None:
        log.error("a checker worker died; restarting the pool")
        self.restarts += 1
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        self.start()

    def close(self, wait_for_running: bool = False) -> None:
        """Stop the workers; with wait_for_running, queued scans still finish (a
        policy switch must not fail the requests already in flight)."""
        self._closed = True
        if self._precheck is not None:
            self._precheck.shutdown(wait=False)
            self._precheck = None
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=not wait_for_running)
            self._executor = None
