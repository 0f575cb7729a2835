"""ScanPool: scans run in worker processes; a worker that dies is replaced."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from checker.config import ScanConfig
from checker.pool import ScanPool
from policy.loader import load_policy

IBAN_TEXT = "Bitte überweisen an DE89 3704 0044 0532 0130 00."


@pytest.fixture(scope="module")
def config() -> ScanConfig:
    return ScanConfig.from_policy(load_policy(None).policy)


# 0 s: the death is usually noticed while the scan waits; 0.5 s: before submit().
@pytest.mark.parametrize("noticed_after_s", [0.0, 0.5])
async def test_a_killed_worker_fails_one_scan_and_the_pool_recovers(
    config: ScanConfig, noticed_after_s: float
) -> None:
    pool = ScanPool(config, workers=1)
    try:
        pool.warm_up()
        assert [f.entity_type for f in await pool.scan([IBAN_TEXT], timeout=60)] == ["IBAN_CODE"]
        executor = pool._executor
        workers = list(getattr(executor, "_processes", {}).values())
        assert len(workers) == 1
        os.kill(workers[0].pid, signal.SIGKILL)  # e.g. the OOM killer
        workers[0].join(10)
        time.sleep(noticed_after_s)
        with pytest.raises(BrokenProcessPool):  # the caller (Guard) applies the fail mode
            await pool.scan([IBAN_TEXT], timeout=60)
        assert pool.restarts == 1
        found = await pool.scan([IBAN_TEXT], timeout=60)  # a fresh worker answers
        assert [f.entity_type for f in found] == ["IBAN_CODE"]
    finally:
        pool.close()


async def test_thread_mode_scans_too(config: ScanConfig) -> None:
    pool = ScanPool(config, workers=0)
    try:
        assert [f.entity_type for f in await pool.scan([IBAN_TEXT])] == ["IBAN_CODE"]
    finally:
        pool.close()


async def test_a_worker_killed_mid_scan_fails_that_scan_only(config: ScanConfig) -> None:
    import asyncio

    pool = ScanPool(config, workers=1)
    try:
        pool.warm_up()
        big = (IBAN_TEXT + " Ein Absatz ohne Daten über Wärmepumpen. ") * 4000  # seconds of work
        scanning = asyncio.ensure_future(pool.scan([big], timeout=120))
        await asyncio.sleep(0.5)  # the worker is busy with it now
        worker = next(iter(getattr(pool._executor, "_processes", {}).values()))
        os.kill(worker.pid, signal.SIGKILL)
        with pytest.raises(BrokenProcessPool):  # the Guard turns this into its fail mode
            await scanning
        assert pool.restarts == 1
        found = await pool.scan([IBAN_TEXT], timeout=60)
        assert [f.entity_type for f in found] == ["IBAN_CODE"]
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
    finally:
        pool.close()
