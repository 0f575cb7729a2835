"""`leitplanke bench --quick` end to end (`pytest -m bench`; not part of `make test`)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bench.proxies import LEITPLANKE

pytestmark = pytest.mark.bench


def test_quick_bench_runs_every_section_but_the_checker(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [
            LEITPLANKE,
            "bench",
            "--quick",
            "--json",
            "--only",
            "gateway,memory,store",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert json.loads(out.read_text()) == document
    assert document["gateway"]["leitplanke"]["pii_c20"]["wrong_answers"] == 0
    assert document["gateway"]["sse"]["leitplanke"]["wrong_answers"] == 0
    assert document["memory"]["leitplanke"]["idle"]["processes"] >= 2  # + checker worker
    assert document["store"]["writes_per_s"] > 0
    assert document["targets"]["store_writes"]["met"] in (True, False)
    assert document["targets"]["checker_throughput"]["met"] is None
    assert "Targets (issue 16" in result.stderr
    assert document["targets"]["gateway_blocked_c20"]["met"] in (True, False)
