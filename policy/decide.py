"""The single place where "what happens to this prompt" is decided.

Precedence: every reason proposes an action and the most restrictive one wins
(block > redact > warn > log > allow). Reasons are:
- a data class found in the prompt that the tool (or the user's group) does not
  allow → that class's `on_violation` action (block when the policy names none);
- a request to an AI service that no tool lists → `unlisted_ai_tools`.
A clean prompt to an approved or tolerated tool is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from policy.model import ACTION_RANK, Action, Policy, ToolStatus


@dataclass(frozen=True)
class Decision:
    action: Action
    reasons: tuple[str, ...]  # machine-readable, e.g. "personal:not_allowed:block"
    data_classes: tuple[str, ...]  # violating classes, in policy order
    tool: str | None
    tool_status: ToolStatus
    alternatives: tuple[str, ...]  # tools that allow every violating class


def decide(
    policy: Policy,
    service: str | None,
    group: str | None,
    found_classes: Iterable[str],
) -> Decision:
    """Decide for a prompt to `service` by a member of `group` containing `found_classes`.

    `service=None` means "no particular tool": only the data rules apply, as if the
    prompt went to a tool that allows nothing (used by `leitplanke check`).
    """
    found = set(found_classes)
    listed = policy.tool_for_service(service)
    tool_id, tool = listed if listed else (None, None)
    allowed = set(_allowed_classes(policy, tool_id, group)) if tool_id else set()

    reasons: list[str] = []
    actions: list[Action] = ["allow"]
    violating = [name for name in policy.data_classes if name in found and name not in allowed]
    for name in violating:
        action = policy.on_violation.get(name, "block")
        actions.append(action)
        reasons.append(f"{name}:not_allowed:{action}")
    if service is not None and tool is None:
        actions.append(policy.unlisted_ai_tools)
        reasons.append(f"unlisted_tool:{policy.unlisted_ai_tools}")

    status: ToolStatus = tool.status if tool else "unapproved"
    return Decision(
        action=most_restrictive(actions),
        reasons=tuple(reasons),
        data_classes=tuple(violating),
        tool=tool_id,
        tool_status=status,
        alternatives=_alternatives(policy, group, violating),
    )


def most_restrictive(actions: Iterable[Action]) -> Action:
    return max(actions, key=lambda a: ACTION_RANK[a], default="allow")


def _allowed_classes(policy: Policy, tool_id: str, group: str | None) -> tuple[str, ...]:
    override = policy.groups.get(group or "")
    if override and tool_id in override.tools:
        return override.tools[tool_id].allowed
    return policy.tools[tool_id].allowed


def _alternatives(policy: Policy, group: str | None, violating: list[str]) -> tuple[str, ...]:
    """Approved tools that would take every violating class (the legal way to do it)."""
    if not violating:
        return ()
    return tuple(
        tool.name or tool_id
        for tool_id, tool in policy.tools.items()
        if tool.status == "approved"
        and set(violating) <= set(_allowed_classes(policy, tool_id, group))
    )
