"""The evaluation both guards share: scan in the pool, decide, fail mode, unscanned files."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from checker.config import ScanConfig
from checker.pool import ScanPool
from extract.model import TextPart
from extract.path import ROOT
from pipeline.evaluation import Active, Evaluation, evaluate, unchecked
from policy.catalog import default_catalog
from policy.loader import load_policy
from policy.model import ScanBudget

IBAN = "DE89 3704 0044 0532 0130 00"
SERVICE = default_catalog().services["openai-api"]
PARTS = (TextPart(ROOT.key("messages").index(0).key("content"), f"Konto {IBAN}"),)


@pytest.fixture
def active() -> Iterator[Active]:
    loaded = load_policy(None)
    pool = ScanPool(ScanConfig.from_policy(loaded.policy), workers=0)
    yield Active(loaded, pool)
    pool.close()


async def check(
    active: Active,
    parts: tuple[TextPart, ...] = PARTS,
    *,
    api: str = "openai_chat",
    fail_mode: str = "policy",
    current: Active | None = None,
    unscanned: int = 0,
) -> Evaluation:
    return await evaluate(
        active,
        SERVICE,
        api,
        None,
        parts,
        unscanned=unscanned,
        timeout_s=20,
        fail_mode=fail_mode,
        current=lambda: current,
    )


async def test_findings_are_decided(active: Active) -> None:
    evaluation = await check(active, current=active)
    assert evaluation.checked == "findings" and evaluation.decision.action == "block"
    assert evaluation.entity_types == ["IBAN_CODE"] and evaluation.parts == PARTS
    assert evaluation.scan_ms is not None and evaluation.error is None


async def test_after_a_policy_switch_the_new_pool_scans(active: Active) -> None:
    """A prompt that started under the old policy (its pool closed by the switch) is
    scanned by the current pool: never a checker error, for HTTP and WebSocket alike."""
    old = Active(active.loaded, ScanPool(active.pool.config, workers=0))
    old.pool.close()
    evaluation = await check(old, api="copilot_ws", fail_mode="closed", current=active)
    assert evaluation.checked == "findings" and evaluation.entity_types == ["IBAN_CODE"]


@pytest.mark.parametrize(("fail_mode", "action"), [("closed", "block"), ("open", "allow")])
async def test_a_checker_failure_gets_the_fail_action(
    active: Active, fail_mode: str, action: str
) -> None:
    active.pool.close()
    evaluation = await check(active, fail_mode=fail_mode)
    assert evaluation.checked == "checker_error" and evaluation.decision.action == action
    assert evaluation.error == "checker_error: RuntimeError" and evaluation.parts == PARTS


async def test_unscanned_files_take_the_policy_action(active: Active) -> None:
    clean = (TextPart(ROOT.key("input"), "Wie funktioniert eine Wärmepumpe?"),)
    evaluation = await check(active, clean, api="openai_responses", unscanned=2, current=active)
    policy = active.loaded.policy
    assert f"unscanned_files:2:{policy.unscanned_files}" in evaluation.decision.reasons


def test_oversize_is_an_unchecked_evaluation(active: Active) -> None:
    evaluation = unchecked(active, SERVICE, "openai_chat", None, "oversize", "block", size=9)
    assert (evaluation.checked, evaluation.size, evaluation.error) == ("oversize", 9, "oversize")
    assert evaluation.decision.reasons[0] == "oversize"


def test_a_name_in_a_files_author_fields_does_not_count() -> None:
    from checker.findings import Finding
    from pipeline.evaluation import without_author_names

    where = ROOT.key("file_data")
    parts = [
        TextPart(where.mark("file"), "Frau Weiß ist krank"),
        TextPart(where.mark("file").mark("author", "#author"), "Max Mustermann\nmax@firma.de"),
    ]
    findings = [
        Finding("PERSON", "personal", 0, 9, 0.9, part=0),  # in the text: counts
        Finding("PERSON", "personal", 0, 14, 0.7, part=1),  # the author: does not
        Finding("EMAIL_ADDRESS", "personal", 15, 27, 1.0, part=1),  # anything else does
        Finding("PERSON", "personal", 15, 19, 0.6, part=0, split_across=(0, 1)),  # joined
    ]
    kept = without_author_names(parts, findings)
    assert kept == [findings[0], findings[2]]
    assert without_author_names(parts[:1], findings[:1]) == findings[:1]


def _with_budget(active: Active, **budget: float) -> Active:
    policy = active.loaded.policy.model_copy(update={"scan_budget": ScanBudget(**budget)})
    return Active(replace(active.loaded, policy=policy), active.pool)


@pytest.mark.parametrize(("fail_mode", "action"), [("closed", "block"), ("open", "allow")])
async def test_a_prompt_beyond_the_size_budget_is_not_scanned(
    active: Active, fail_mode: str, action: str
) -> None:
    small = _with_budget(active, max_characters=1_000)
    big = (TextPart(ROOT.key("input"), "Wie funktioniert eine Wärmepumpe? " * 40),)
    evaluation = await check(small, big, api="openai_responses", fail_mode=fail_mode)
    assert evaluation.checked == "checker_error" and evaluation.decision.action == action
    assert evaluation.error == "scan_budget: 1360 characters > 1000"
    assert evaluation.decision.reasons[0] == "scan_budget"
    assert active.pool.prechecked_clean == 0  # never reached the pool


async def test_a_scan_beyond_the_time_budget_gets_the_fail_mode(active: Active) -> None:
    # Dense text that takes the checker far longer than a millisecond (CPU seconds).
    rows = "".join(f"Best.-Nr. 4711-{i:04d}-0815, Tel. 030 {1234567 + i}\n" for i in range(400))
    quick = _with_budget(active, max_seconds=0.001)
    evaluation = await check(quick, (TextPart(ROOT.key("input"), rows),), fail_mode="closed")
    assert evaluation.decision.action == "block" and evaluation.checked == "checker_error"
    assert evaluation.error == "scan_budget: over 0.001 s"
    assert evaluation.decision.reasons[0] == "scan_budget"


async def test_the_gateway_timeout_below_the_budget_stays_a_checker_error(active: Active) -> None:
    rows = "".join(f"Best.-Nr. 4711-{i:04d}-0815, Tel. 030 {1234567 + i}\n" for i in range(400))
    evaluation = await evaluate(
        active,
        SERVICE,
        "openai_chat",
        None,
        (TextPart(ROOT.key("input"), rows),),
        timeout_s=0.001,
        fail_mode="closed",
        current=lambda: None,
    )
    assert evaluation.error == "checker_error: TimeoutError"
    assert evaluation.decision.reasons[0] == "checker_error"
