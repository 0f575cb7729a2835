"""Hypothesis profiles for the fuzz tests, and a count of the cases they run.

Profiles (HYPOTHESIS_PROFILE, default "ci"):
- "ci": what `make test` runs — a small, derandomized budget (same cases every run).
- "fuzz": what `make fuzz` runs — 50x the examples, random seeds, failures kept in
  build/hypothesis for replay; over 100,000 cases in all.

Each test scales the profile's max_examples by a weight (support.budget), so the
expensive ones (the Guard with the real checker, MB-sized bodies) stay small.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

from tests.fuzz.support import CASES, PROFILE

_SLOW_IS_FINE = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
    HealthCheck.filter_too_much,
]

settings.register_profile(
    "ci",
    max_examples=50,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=_SLOW_IS_FINE,
)
settings.register_profile(
    "fuzz",
    max_examples=2000,
    derandomize=False,
    database=DirectoryBasedExampleDatabase(str(Path(__file__).parents[2] / "build" / "hypothesis")),
    deadline=None,
    print_blob=True,
    suppress_health_check=_SLOW_IS_FINE,
)
settings.load_profile(PROFILE)

_seconds = [0.0]  # time spent in the fuzz tests themselves


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> object:
    started = time.monotonic()
    try:
        return (yield)
    finally:
        if Path(__file__).parent in Path(item.path).parents:
            _seconds[0] += time.monotonic() - started


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CASES:
        return
    total = sum(CASES.values())
    seconds = _seconds[0]
    terminalreporter.write_line(
        f"fuzz: {total} cases in {seconds:.0f} s (hypothesis profile {PROFILE!r})"
    )
    if PROFILE != "ci":
        for name, count in sorted(CASES.items()):
            terminalreporter.write_line(f"  {count:>8}  {name}")
