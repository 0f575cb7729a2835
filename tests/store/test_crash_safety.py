"""kill -9 during heavy writes: the database stays intact and keeps every committed row."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

WRITER = textwrap.dedent(
    """
    import sys
    from store.findings_store import FindingsStore
    from store.records import DecisionRecord, FindingRecord

    store = FindingsStore(sys.argv[1])
    n = 0
    while True:
        finding = FindingRecord("personal", "IBAN_CODE", 1, 1.0, "DE89 ****", f"h{n}", "x:0-1")
        row = DecisionRecord(
            service="openai-api", host="api.openai.com", api="openai_chat", tool=None,
            tool_status="unapproved", user_pseudonym="u-1", user_group=None, action="block",
            reasons=("r",), data_classes=("personal",), policy_version="1@x",
            findings=(finding,) * 5,
        )
        decision_id = store.record(row)  # returns after COMMIT
        print(decision_id, flush=True)  # acknowledged
        n += 1
    """
)


def test_kill_9_keeps_integrity_and_every_acknowledged_row(tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert writer.stdout is not None
    acknowledged = []
    for line in writer.stdout:
        acknowledged.append(int(line))
        if len(acknowledged) == 300:
            break
    os.kill(writer.pid, signal.SIGKILL)  # mid-write: the loop never pauses
    writer.wait(10)
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        stored = {i for (i,) in conn.execute("select id from decisions")}
        orphans = conn.execute(
            "select count(*) from findings where decision_id not in (select id from decisions)"
        ).fetchone()[0]
    assert set(acknowledged) <= stored
    assert orphans == 0  # a decision and its findings commit together or not at all
