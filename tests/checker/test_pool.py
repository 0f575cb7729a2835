"""ScanPool: one scan per worker process; a scan past its deadline kills only its own
worker, which is replaced; a worker that dies is replaced; no process outlives the pool.

Slow scans are made with a large (linear) input and a tiny timeout: no test hook in
the checker. Process checks read /proc (psutil is not a dependency)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from checker.config import ScanConfig
from checker.pool import ScanPool, WorkerDied
from policy.loader import load_policy

IBAN_TEXT = "Bitte überweisen an DE89 3704 0044 0532 0130 00."
# About 1.8 MB of text with a trigger in every sentence: seconds of work for any
# checker, so a timeout of a few milliseconds always passes first.
SLOW_TEXT = (IBAN_TEXT + " Ein Absatz ohne Daten über Wärmepumpen. ") * 20_000
TINY_TIMEOUT_S = 0.05


@pytest.fixture(scope="module")
def config() -> ScanConfig:
    return ScanConfig.from_policy(load_policy(None).policy)


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # field 3, after "(comm)"


def worker_pids(pool: ScanPool) -> list[int]:
    return [w.process.pid for w in pool._pool if w.process.pid is not None]


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


async def entity_types(pool: ScanPool, texts: list[str], timeout: float = 120) -> list[str]:
    return [f.entity_type for f in await pool.scan(texts, timeout=timeout)]


async def test_a_scan_past_its_timeout_kills_its_worker_only(config: ScanConfig) -> None:
    pool = ScanPool(config, workers=2)
    try:
        pool.warm_up()
        before = set(worker_pids(pool))
        slow = asyncio.ensure_future(pool.scan([SLOW_TEXT], timeout=TINY_TIMEOUT_S))
        other = asyncio.ensure_future(entity_types(pool, [IBAN_TEXT]))
        with pytest.raises(TimeoutError):
            await slow
        assert await other == ["IBAN_CODE"]  # the other worker was not disturbed
        assert (pool.kills, pool.restarts) == (1, 1)
        # The killed worker is gone (reaped: no zombie) and a fresh one took its place.
        wait_until(lambda: len(set(before) - set(worker_pids(pool))) == 1, 10, "the reap")
        (killed,) = before - set(worker_pids(pool))
        wait_until(lambda: not alive(killed), 10, "the killed worker to be gone")
        assert len(pool._pool) == 2
        # Requests go on: whichever worker takes them, each answers.
        for _ in range(3):
            assert await entity_types(pool, [IBAN_TEXT]) == ["IBAN_CODE"]
    finally:
        pool.close()


async def test_a_request_behind_a_stuck_scan_waits_for_its_kill_not_for_the_scan(
    config: ScanConfig,
) -> None:
    """One worker: the slow scan is killed at its own (short) deadline, the queued
    request then gets the fresh worker — it never waits for the slow scan to finish."""
    pool = ScanPool(config, workers=1)
    try:
        pool.warm_up()
        slow = asyncio.ensure_future(pool.scan([SLOW_TEXT * 4], timeout=0.5))
        await asyncio.sleep(0.1)  # the worker is busy with it now
        queued = asyncio.ensure_future(entity_types(pool, [IBAN_TEXT], timeout=120))
        with pytest.raises(TimeoutError):
            await slow
        assert await queued == ["IBAN_CODE"]
        assert (pool.kills, pool.restarts) == (1, 1)
    finally:
        pool.close()


async def test_a_queued_request_fails_at_its_own_deadline(config: ScanConfig) -> None:
    pool = ScanPool(config, workers=1)
    try:
        pool.warm_up()
        busy = asyncio.ensure_future(pool.scan([SLOW_TEXT * 4], timeout=120))
        await asyncio.sleep(0.1)
        with pytest.raises(TimeoutError):
            await pool.scan([IBAN_TEXT], timeout=0.3)
        assert not busy.done()  # it did not wait for the busy scan (minutes of work)
        assert pool.kills == 0  # nothing was running for it: no worker is killed
        busy.cancel()
    finally:
        pool.close()


@pytest.mark.parametrize("mid_scan", [False, True])
async def test_a_dead_worker_is_replaced(config: ScanConfig, mid_scan: bool) -> None:
    pool = ScanPool(config, workers=1)
    try:
        pool.warm_up()
        (pid,) = worker_pids(pool)
        if mid_scan:
            scanning = asyncio.ensure_future(pool.scan([SLOW_TEXT], timeout=120))
            await asyncio.sleep(0.5)  # the worker is busy with it now
        os.kill(pid, signal.SIGKILL)  # e.g. the OOM killer
        if mid_scan:
            with pytest.raises(WorkerDied):  # the caller (Guard) applies the fail mode
                await scanning
        wait_until(lambda: pool.restarts == 1, 10, "the replacement")
        assert pool.kills == 0
        assert await entity_types(pool, [IBAN_TEXT]) == ["IBAN_CODE"]
        assert pid not in worker_pids(pool) and not alive(pid)
    finally:
        pool.close()


async def test_close_leaves_no_process(config: ScanConfig) -> None:
    pool = ScanPool(config, workers=2)
    pool.warm_up()
    pids = worker_pids(pool)
    running = asyncio.ensure_future(pool.scan([SLOW_TEXT], timeout=120))
    await asyncio.sleep(0.2)
    pool.close()
    with pytest.raises(RuntimeError):  # PoolClosed: the Guard applies the fail mode
        await running
    wait_until(lambda: not any(alive(pid) for pid in pids), 10, "the workers to exit")
    with pytest.raises(RuntimeError, match="closed"):
        await pool.scan([IBAN_TEXT], timeout=5)


async def test_close_waiting_for_running_scans_lets_them_finish(config: ScanConfig) -> None:
    pool = ScanPool(config, workers=1)
    pool.warm_up()
    (pid,) = worker_pids(pool)
    first = asyncio.ensure_future(entity_types(pool, [IBAN_TEXT * 2000]))
    queued = asyncio.ensure_future(entity_types(pool, [IBAN_TEXT]))
    await asyncio.sleep(0.05)
    pool.close(wait_for_running=True)  # a policy switch
    assert set(await first) == {"IBAN_CODE"}
    assert await queued == ["IBAN_CODE"]
    wait_until(lambda: not alive(pid), 10, "the worker to exit")


def test_a_worker_that_cannot_start_fails_warm_up_and_scans_time_out(
    config: ScanConfig,
) -> None:
    broken = replace(config, languages=("zz",))  # no spaCy language: the engine fails
    pool = ScanPool(broken, workers=1)
    try:
        with pytest.raises(RuntimeError, match="failed to start"):
            pool.warm_up()
        with pytest.raises(TimeoutError):  # no worker: the fail mode applies
            asyncio.run(pool.scan([IBAN_TEXT], timeout=0.5))
    finally:
        pool.close()


def test_workers_exit_when_the_pool_process_is_killed(tmp_path: Path) -> None:
    """The gateway killed with SIGKILL: its workers notice (lifeline) and exit, even
    in the middle of a scan; none is left behind as an orphan."""
    script = tmp_path / "owner.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import asyncio, os, sys
            from checker.config import ScanConfig
            from checker.pool import ScanPool
            from policy.loader import load_policy

            async def main():
                pool = ScanPool(ScanConfig.from_policy(load_policy(None).policy), workers=2)
                pool.warm_up()
                print(" ".join(str(w.process.pid) for w in pool._pool), flush=True)
                asyncio.ensure_future(pool.scan([{SLOW_TEXT[:2000]!r} * 2000], timeout=600))
                await asyncio.sleep(600)

            if __name__ == "__main__":
                asyncio.run(main())
            """
        )
    )
    owner = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=os.getcwd()
    )
    try:
        assert owner.stdout is not None
        pids = [int(p) for p in owner.stdout.readline().split()]
        assert len(pids) == 2 and all(alive(p) for p in pids)
        time.sleep(0.5)  # one worker is scanning now
        owner.kill()
        owner.wait(10)
        wait_until(lambda: not any(alive(p) for p in pids), 15, "the orphaned workers to exit")
    finally:
        owner.kill()


async def test_thread_mode_scans_too(config: ScanConfig) -> None:
    pool = ScanPool(config, workers=0)
    try:
        pool.warm_up()
        assert [f.entity_type for f in await pool.scan([IBAN_TEXT])] == ["IBAN_CODE"]
    finally:
        pool.close()


async def test_prompts_without_any_trigger_need_no_worker(config: ScanConfig) -> None:
    """The gateway process answers a prompt with nothing any recognizer could start
    from itself; everything else still goes to a worker and finds what it finds."""
    pool = ScanPool(config, workers=1)
    try:
        pool.warm_up()
        clean = ["Fasse bitte das Protokoll der Vertriebsrunde freundlich zusammen.", "  "]
        assert await pool.scan(clean, timeout=60) == []
        assert pool.prechecked_clean == 1
        assert await pool.scan(clean, timeout=60, precheck=False) == []  # a health probe
        assert pool.prechecked_clean == 1  # went to a worker
        found = await pool.scan(["Hallo", IBAN_TEXT], timeout=60)
        assert [(f.entity_type, f.part) for f in found] == [("IBAN_CODE", 1)]
        assert pool.prechecked_clean == 1
        big = "x " * 40_000 + IBAN_TEXT  # over the pre-check size: straight to a worker
        assert [f.entity_type for f in await pool.scan([big], timeout=60)] == ["IBAN_CODE"]
        # No part has a trigger alone, their seams do: a worker scans them.
        split = list("DE89370400440532013000")
        assert "IBAN_CODE" in {f.entity_type for f in await pool.scan(split, timeout=60)}
        assert pool.prechecked_clean == 1
    finally:
        pool.close()
