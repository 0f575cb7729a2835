"""One prompt checked and decided: the evaluation the HTTP Guard and the WebSocketGuard
share (proxy_addon/guard.py, proxy_addon/websocket_guard.py).

`evaluate` scans a prompt's text parts in the checker pool and decides with
policy/decide.py; `unchecked` is the evaluation of a prompt that was too large or could
not be checked. Either way the result is an Evaluation: what the guard answers with and
what the Recorder writes. What the gateway then applies is policy.decide.applied.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from checker.findings import Finding
from checker.pool import ScanPool
from extract.model import TextPart
from policy.catalog import Service
from policy.decide import (
    Checked,
    Decision,
    decide,
    fail_action,
    unchecked_decision,
    with_unreadable,
    with_unscanned,
    with_unseen,
)
from policy.loader import LoadedPolicy
from policy.model import Action, Policy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Active:
    """The active policy and the checker pool that scans for it: one consistent pair
    (proxy_addon/policy_source.py switches it atomically); a request reads it once."""

    loaded: LoadedPolicy
    pool: ScanPool


@dataclass(frozen=True)
class Evaluation:
    """Everything decided about one prompt; becomes the answer and a decision row."""

    active: Active
    service: Service
    api: str
    group: str | None
    decision: Decision
    parts: tuple[TextPart, ...] = ()
    findings: tuple[Finding, ...] = ()
    error: str | None = None  # reason code when the normal path could not run
    checked: Checked = "findings"
    size: int = 0  # bytes, for the oversize message
    scan_ms: float | None = None

    @property
    def clean(self) -> bool:
        """Checked, and nothing found."""
        return self.checked == "findings" and self.error is None and not self.findings

    @property
    def policy(self) -> Policy:
        return self.active.loaded.policy

    @property
    def entity_types(self) -> list[str]:
        return [f.entity_type for f in self.findings]

    @property
    def service_name(self) -> str:
        return self.service.name


def unchecked(
    active: Active,
    service: Service,
    api: str,
    group: str | None,
    error: str,
    action: Action,
    *,
    size: int = 0,
    parts: Sequence[TextPart] = (),
) -> Evaluation:
    """A prompt that was too large (error "oversize") or could not be checked
    ("undecodable_body", "checker_error: <type>", "internal_error: <type>", "scan_budget:
    <what>"): `action`. The decision's reason is the error's code (before the colon)."""
    reason = error.split(":")[0]
    decision = unchecked_decision(active.loaded.policy, service.id, group, reason, action)
    checked: Checked = "oversize" if error == "oversize" else "checker_error"
    return Evaluation(
        active, service, api, group, decision, tuple(parts), error=error, checked=checked, size=size
    )


def without_author_names(parts: Sequence[TextPart], findings: Sequence[Finding]) -> list[Finding]:
    """A person's name in a file's author fields (extract/file_text/metadata.py) is
    whoever saved the file, ordinarily the employee sending it: not counted, also where
    the scan across part boundaries joined it to the text before it. Everything else
    found there counts, and so does a name anywhere else."""
    authors = {index for index, part in enumerate(parts) if "author" in part.path.marks()}
    if not authors:
        return list(findings)
    return [
        finding
        for finding in findings
        if finding.entity_type != "PERSON" or not ({finding.part, *finding.split_across} & authors)
    ]


async def evaluate(
    active: Active,
    service: Service,
    api: str,
    group: str | None,
    parts: Sequence[TextPart],
    *,
    timeout_s: float,
    fail_mode: str,
    current: Callable[[], Active | None],
    unscanned: int = 0,
    unreadable: Sequence[str] = (),
    unseen: int = 0,
    error: str | None = None,
) -> Evaluation:
    """Scan `parts` and decide; `unscanned` inline files get the policy's unscanned_files,
    files not read completely (`unreadable`: why, one per file) its unreadable_files,
    `unseen` uploads (bytes that bypass the gateway) count as unreadable files (with_unseen).

    A policy switch may have closed the pool this prompt started with (e.g. while a big
    upload was read): then the pool of the `current` policy scans it. Any checker failure
    gets the fail action (`leitplanke_fail_mode` / the policy's fail_mode), never a crash;
    so does a prompt beyond the policy's scan_budget (error "scan_budget: …").
    """
    policy = active.loaded.policy
    budget = policy.scan_budget
    characters = sum(len(part.text) for part in parts)
    if characters > budget.max_characters:
        log.warning(
            "leitplanke: %s %s: %d characters exceed the scan budget of %d",
            service.id,
            api,
            characters,
            budget.max_characters,
        )
        action = fail_action(policy, fail_mode)
        error = f"scan_budget: {characters} characters > {budget.max_characters}"
        return unchecked(active, service, api, group, error, action, parts=parts)
    pool = active.pool
    latest = current()
    if pool.closed and latest is not None:
        pool = latest.pool
    started = time.perf_counter()
    try:
        # Nothing to read (an audio chunk, a file that has no text): no worker round trip.
        texts = [part.text for part in parts]
        findings = (
            await pool.scan(texts, timeout=min(timeout_s, budget.max_seconds)) if texts else []
        )
    except Exception as exc:  # any checker failure gets the fail action, never a crash
        action = fail_action(policy, fail_mode)
        if isinstance(exc, TimeoutError) and budget.max_seconds <= timeout_s:
            log.warning(
                "leitplanke: %s %s: scan exceeded the budget of %g s",
                service.id,
                api,
                budget.max_seconds,
            )
            error = f"scan_budget: over {budget.max_seconds:g} s"
        else:
            log.error("leitplanke: checker failed for %s %s: %r", service.id, api, exc)
            error = f"checker_error: {type(exc).__name__}"
        return unchecked(active, service, api, group, error, action, parts=parts)
    scan_ms = (time.perf_counter() - started) * 1000
    findings = without_author_names(parts, findings)
    decision = with_unscanned(decide(policy, service.id, group, findings), unscanned, policy)
    decision = with_unreadable(decision, unreadable, policy, service.id, group)
    decision = with_unseen(decision, unseen, policy, service.id, group)
    return Evaluation(
        active, service, api, group, decision, tuple(parts), tuple(findings), error, scan_ms=scan_ms
    )
