"""Store records for tests: one place for the decision most store, review and
recorder tests write (an OpenAI chat request of user u-1, personal data not allowed,
blocked), each test naming only the fields it is about."""

from __future__ import annotations

from typing import Any

from store.records import DecisionRecord


def openai_decision(**fields: Any) -> DecisionRecord:
    """A DecisionRecord for api.openai.com; `fields` override the defaults."""
    defaults: dict[str, Any] = {
        "service": "openai-api",
        "host": "api.openai.com",
        "api": "openai_chat",
        "tool": None,
        "tool_status": "unapproved",
        "user_pseudonym": "u-1",
        "user_group": None,
        "action": "block",
        "reasons": ("personal:not_allowed:block",),
        "data_classes": ("personal",),
        "policy_version": "1@abc",
    }
    return DecisionRecord(**{**defaults, **fields})
