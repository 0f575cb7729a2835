"""End to end: a prompt that is too big to scan within the timeout costs only itself.

A real `leitplanke proxy` with two checker workers and
`leitplanke_scan_timeout_ms=2000`. The slow prompt is an ordinary, large input (5 MB of
dates: digit-dense text, the most expensive kind for the phone and number recognizers,
and no personal data) — the checker is linear, so nothing is "stuck" by construction;
it is simply more work than 2 s allow on any machine (at the 1 MB/s per core the
checker aims for it would still take 5 s). There is no test hook in the product: the
test only sets a small timeout, as an administrator could. The prompt right after it
is scanned normally (blocked by its IBAN finding, not by a timeout) and a clean one
passes, so the checker was not disabled for later requests; the worker that ran out of
time was killed and replaced, and no process is left behind.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.fake_upstream import FakeUpstream
from bench.proxies import Gateway, chat_body, curl_post_json, start_gateway, stop_gateway, wait_for
from policy.loader import load_policy
from tests.e2e.test_metrics_e2e import checker_workers

pytestmark = pytest.mark.e2e

IBAN = "DE89 3704 0044 0532 0130 00"
SLOW_PROMPT = "03.04.1985 " * 460_000  # about 5 MB, no personal data
TIMEOUT_MS = 2000


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    upstream = FakeUpstream().start()
    extra = ["--set", "leitplanke_workers=2", "--set", f"leitplanke_scan_timeout_ms={TIMEOUT_MS}"]
    gw = start_gateway(tmp_path_factory.mktemp("timeout"), upstream, extra)
    try:
        # Both workers build their engine first (seconds; the gateway logs when all
        # are ready), then a prompt is really scanned (not failed closed).
        wait_for(lambda: len(checker_workers(gw.process.pid)) == 2, 60, "two workers")
        wait_for(lambda: "checker ready in" in gw.log.read_text(errors="replace"), 180, "warm-up")
        wait_for(lambda: _scanned(gw, f"Konto {IBAN}"), 60, "a scanned prompt")
        yield gw
    finally:
        stop_gateway(gw)
        upstream.stop()


def _decision_of(gateway: Gateway, content: str) -> tuple[int, str]:
    """POST a chat completion with curl through the gateway; the body goes from a file
    (5 MB do not fit on a command line)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as handle:
        handle.write(chat_body(content))
        handle.flush()
        options = ["-H", "authorization: Bearer sk-test", "-w", "\n%{http_code}"]
        out = curl_post_json(gateway.proxy_url, gateway.ca, f"@{handle.name}", options, timeout=120)
    payload, status = out.rsplit("\n", 1)
    return int(status), payload


def _scanned(gateway: Gateway, content: str) -> bool:
    """Sends `content`; True when the checker answered (no checker error recorded)."""
    before = _newest_id(gateway.db)
    _decision_of(gateway, content)
    return _last_decision(gateway.db, before)[2] is None


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def _last_decision(db: Path, after_id: int) -> tuple[int, str, str | None, str]:
    """(id, action, error, reasons) of the newest decision row after `after_id`."""
    rows: list[tuple[object, ...]] = []

    def written() -> bool:
        rows[:] = _rows(
            db,
            f"select id, action, error, reasons from decisions where id > {after_id} "
            "order by id desc limit 1",
        )
        return bool(rows)

    wait_for(written, 20, "the decision row")
    (row,) = rows
    return int(str(row[0])), str(row[1]), None if row[2] is None else str(row[2]), str(row[3])


def _newest_id(db: Path) -> int:
    return int(str(_rows(db, "select coalesce(max(id), 0) from decisions")[0][0]))


def test_a_slow_prompt_times_out_and_only_costs_itself(gateway: Gateway) -> None:
    assert load_policy(None).policy.fail_mode == "closed"  # the default policy fails closed
    workers = set(checker_workers(gateway.process.pid))
    assert len(workers) == 2

    before = _newest_id(gateway.db)
    status, payload = _decision_of(gateway, SLOW_PROMPT)
    assert status == 403, payload  # fail mode closed: blocked, not forwarded
    slow_id, action, error, _ = _last_decision(gateway.db, before)
    assert (action, error) == ("block", "checker_error: TimeoutError")
    assert not any(b"03.04.1985 03.04.1985" in body for body in gateway.upstream.bodies())

    # Immediately after: the next prompt is scanned, and blocked for what it contains.
    status, payload = _decision_of(gateway, f"Bitte überweisen an {IBAN}.")
    assert status == 403
    assert json.loads(payload)["error"]["code"] == "leitplanke_policy_block"
    iban_id, action, error, reasons = _last_decision(gateway.db, slow_id)
    assert (action, error) == ("block", None), reasons
    assert "checker_error" not in reasons
    findings = _rows(gateway.db, f"select entity_type from findings where decision_id = {iban_id}")
    assert ("IBAN_CODE",) in findings

    # And a clean prompt passes to the upstream.
    status, _ = _decision_of(gateway, "Fasse das Protokoll der Vertriebsrunde zusammen.")
    assert status == 200
    _, action, error, _ = _last_decision(gateway.db, iban_id)
    assert error is None and action != "block"

    # The worker that ran out of time was killed and replaced: two workers again, one
    # of them new, and the killed one is gone (no zombie, no orphan).
    wait_for(lambda: len(checker_workers(gateway.process.pid)) == 2, 60, "the replacement")
    now = set(checker_workers(gateway.process.pid))
    assert len(workers - now) == 1 and len(now - workers) == 1, (workers, now)
    (killed,) = workers - now
    assert not Path(f"/proc/{killed}").exists() or "Z" not in _state(killed)
    assert "ran past its timeout" in gateway.log.read_text(errors="replace")


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
