"""Deliberately broken policies: each must produce its intended file:line message.

Every file in broken/ starts with `# expect: LINE:COLUMN: text`; the first problem
the loader reports must be located there and contain the text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policy.loader import PolicyError, load_policy

BROKEN = sorted((Path(__file__).parent / "broken").glob("*.yaml"))


def expectation(path: Path) -> tuple[str, str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} lacks an '# expect:' line"
    line, column, text = first.removeprefix("# expect: ").split(":", 2)
    return f"{path}:{line}:{column}:", text.strip()


def test_there_are_at_least_ten() -> None:
    assert len(BROKEN) >= 10


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_policy_message(path: Path) -> None:
    where, text = expectation(path)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    first = str(caught.value.problems[0])
    assert first.startswith(where), first
    assert text in first, first
