"""A seeded findings store for the review UI's tests: masked excerpts only."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.masking import mask
from store.findings_store import FindingsStore
from store.records import (
    ApprovalRequestRecord,
    CoachingRecord,
    DecisionRecord,
    FindingRecord,
)

PASSWORD = "korrekt-Pferd-Batterie-42"
# Values that must never show up in any page or export: the raw IBAN the masked
# excerpt stands for (never stored), a value hash (stored, never shown) and the
# pseudonym (shown only in the finding detail, never in the queue).
RAW_IBAN = "DE89370400440532013000"
VALUE_HASH = "a3f1c0ffee5eed0123456789abcdef00"
PSEUDONYM = "u-7f3a9c1e"
MASKED_IBAN = mask("IBAN_CODE", RAW_IBAN)  # "DE89 **** **** 3000"


def seed(path: Path) -> dict[str, int]:
    store = FindingsStore(path)
    ids = {}
    ids["iban"] = store.record(
        DecisionRecord(
            service="openai-api",
            host="api.openai.com",
            api="openai-chat",
            tool=None,
            tool_status="unapproved",
            user_pseudonym=PSEUDONYM,
            user_group="Vertrieb",
            action="block",
            reasons=("personal:unapproved-tool",),
            data_classes=("personal",),
            policy_version="pv-1",
            findings=(
                FindingRecord(
                    data_class="personal",
                    entity_type="IBAN_CODE",
                    count=2,
                    max_score=0.95,
                    masked_excerpt=MASKED_IBAN,
                    value_hash=VALUE_HASH,
                    location="messages[0].content:12-34",
                ),
            ),
            ts="2025-03-04T09:15:00.000+00:00",
        )
    )
    ids["health"] = store.record(
        DecisionRecord(
            service="anthropic-api",
            host="api.anthropic.com",
            api="anthropic-messages",
            tool="Claude Team",
            tool_status="approved",
            user_pseudonym="u-0000beef",
            user_group="Personal",
            action="warn",
            enforced="redact",
            reasons=("health:coach",),
            data_classes=("health",),
            policy_version="pv-1",
            findings=(
                FindingRecord(
                    data_class="health",
                    entity_type="DIAGNOSIS",
                    count=1,
                    max_score=0.7,
                    masked_excerpt="<DIAGNOSIS>",
                    value_hash="0" * 32,
                    location="messages[1].content:5-20",
                ),
            ),
            ts="2025-03-12T10:00:00.000+00:00",
        )
    )
    ids["clean"] = store.record(
        DecisionRecord(
            service="openai-api",
            host="api.openai.com",
            api="openai-chat",
            tool=None,
            tool_status="unapproved",
            user_pseudonym="u-clean",
            user_group="Einkauf",
            action="allow",
            reasons=(),
            data_classes=(),
            policy_version="pv-1",
            ts="2025-03-12T11:00:00.000+00:00",
        )
    )
    for service, group in (("openai-api", "Vertrieb"), ("openai-api", "Einkauf"), (None, "IT")):
        store.record_approval_request(
            ApprovalRequestRecord(
                service=service,
                tool_name="Eigenes Tool" if service is None else "ChatGPT",
                reason="Angebote schneller schreiben für <PERSON>",
                department="Vertrieb",
                user_pseudonym="u-req",
                user_group=group,
                ts="2025-03-05T08:00:00.000+00:00",
            )
        )
    store.record_coaching(
        CoachingRecord(
            service="anthropic-api",
            tool="Claude Team",
            user_pseudonym="u-0000beef",
            user_group="Personal",
            data_classes=("health",),
            entity_types={"DIAGNOSIS": 1},
            justification="Anonymisierte Fallbesprechung mit <PERSON>",
            allowed_until="2025-03-12T10:15:00.000+00:00",
            ts="2025-03-12T10:01:00.000+00:00",
        )
    )
    store.close()
    return ids


@pytest.fixture
def seeded_db(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    db = tmp_path / "leitplanke.db"
    return db, seed(db)
