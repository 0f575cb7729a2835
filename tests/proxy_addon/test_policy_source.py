"""PolicySource defaults (loading and hot reload are covered in test_guard.py)."""

from __future__ import annotations

import pytest

from proxy_addon import policy_source


@pytest.mark.parametrize(("cores", "workers"), [(None, 1), (1, 1), (2, 1), (8, 7)])
def test_default_workers_leave_one_core_to_the_event_loop(
    monkeypatch: pytest.MonkeyPatch, cores: int | None, workers: int
) -> None:
    monkeypatch.setattr(policy_source.os, "cpu_count", lambda: cores)
    assert policy_source.default_workers() == workers
