"""Build privacy-safe rows from a decision and its findings (no raw values leave here)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from checker.findings import Finding
from checker.masking import keyed_hash, mask
from store.keys import derive


@dataclass(frozen=True)
class FindingRecord:
    data_class: str
    entity_type: str
    count: int
    max_score: float
    masked_excerpt: str
    value_hash: str
    location: str
    # Why it was flagged, from the checker's explanation of the best-scoring match
    # (never the value): the recognizer, its pattern, the context cue word that raised
    # the score, the score before that raise, and a checksum verdict.
    recognizer: str | None = None
    pattern_name: str | None = None
    context_word: str | None = None
    base_score: float | None = None
    checksum: str | None = None


@dataclass(frozen=True)
class DecisionRecord:
    service: str | None
    host: str
    api: str | None
    tool: str | None
    tool_status: str
    user_pseudonym: str
    user_group: str | None
    action: str  # what the policy decided
    reasons: tuple[str, ...]
    data_classes: tuple[str, ...]
    policy_version: str
    enforced: str | None = None  # what the gateway did, when it differs (None: same)
    mode: str | None = None  # rollout mode: monitor | coach | enforce (None: enforce)
    scan_ms: float | None = None
    error: str | None = None
    findings: tuple[FindingRecord, ...] = ()
    # The coaching link this decision belongs to (pipeline/coaching.py `Ticket.ref`):
    # set on the prompt it stopped and on those its justification let through.
    coaching_ref: str | None = None
    ts: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="milliseconds"))


@dataclass(frozen=True)
class UsageRecord:
    """One connection to, or one intercepted request for, an AI host (no URL, no content)."""

    kind: Literal["connection", "request"]
    service: str | None
    host: str
    intercepted: bool
    user_pseudonym: str
    user_group: str | None
    tool: str | None = None
    tool_status: str | None = None
    unknown_ai: bool = False
    heuristic: str | None = None
    method: str | None = None
    status: int | None = None
    bytes_up: int | None = None
    bytes_down: int | None = None
    policy_version: str | None = None
    ts: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="milliseconds"))


@dataclass(frozen=True)
class CoachingRecord:
    """A justification for sending a coached ("warn") prompt anyway; no values, masked text."""

    service: str
    tool: str | None
    user_pseudonym: str
    user_group: str | None
    data_classes: tuple[str, ...]
    entity_types: dict[str, int]  # entity type -> count, never values
    justification: str  # already masked: every finding replaced by <TYPE>
    allowed_until: str  # ISO 8601, UTC
    policy_version: str | None = None
    ref: str | None = None  # the coaching link's reference (DecisionRecord.coaching_ref)
    ts: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="milliseconds"))


@dataclass(frozen=True)
class ApprovalRequestRecord:
    """An employee's request to approve an AI tool; free-text fields already masked."""

    service: str | None
    tool_name: str
    reason: str
    department: str
    user_pseudonym: str
    user_group: str | None
    status: str = "open"
    ts: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="milliseconds"))


ExcerptMode = Literal["none", "type_only", "masked"]


def _excerpt(mode: ExcerptMode, entity_type: str, value: str) -> str:
    """What the log keeps of a value, as the policy's privacy.excerpt says."""
    if mode == "masked":
        return mask(entity_type, value)
    return f"<{entity_type}>" if mode == "type_only" else ""


def finding_records(
    key: bytes,
    findings: Sequence[Finding],
    locations: Sequence[str] = (),
    excerpt: ExcerptMode = "masked",
) -> tuple[FindingRecord, ...]:
    """One record per distinct value: repeats of the same IBAN count, not multiply."""
    keep = excerpt
    hash_key = derive(key, "value-hash")
    grouped: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        digest = keyed_hash(hash_key, f.entity_type, f.value)
        grouped.setdefault((f.data_class, f.entity_type, digest), []).append(f)
    records = []
    for (data_class, entity_type, digest), group in grouped.items():
        first = group[0]
        best = max(group, key=lambda f: f.score)
        where = locations[first.part] if first.part < len(locations) else f"part{first.part}"
        records.append(
            FindingRecord(
                data_class=data_class,
                entity_type=entity_type,
                count=len(group),
                max_score=round(best.score, 4),
                masked_excerpt=_excerpt(keep, entity_type, first.value),
                value_hash=digest,
                location=f"{where}:{first.start}-{first.end}",
                **_why(best.explanation),
            )
        )
    return tuple(records)


def _why(explanation: Mapping[str, Any] | None) -> dict[str, Any]:
    """The value-free part of the checker's explanation the store keeps. A context
    word is one of the recognizer's cue words ("IBAN", "Diagnose"), cut to 40 chars."""
    if not explanation:
        return {}
    context = explanation.get("context_word")
    base = explanation.get("original_score")
    return {
        "recognizer": _short(explanation.get("recognizer")),
        "pattern_name": _short(explanation.get("pattern_name")),
        "context_word": _short(context, 40),
        "base_score": round(float(base), 4) if base is not None else None,
        "checksum": _short(explanation.get("checksum")),
    }


def _short(value: object, limit: int = 80) -> str | None:
    return str(value)[:limit] if value else None
