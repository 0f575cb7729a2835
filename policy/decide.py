"""The single place where "what happens to this prompt" is decided.

Every reason proposes an action; the most restrictive one wins
(block > redact > warn > log > allow). The reasons are:

1. Using the tool at all. A listed tool proposes its `action`, by default from its
   status: approved → allow, tolerated → log, unapproved → block. A service that no
   tool lists proposes `unlisted_ai_tools`.
2. Each data class found that the tool does not allow. A tool allows its own
   `allowed` classes plus, for members of a group, the classes the group's entry for
   that tool adds (group exceptions only ever widen). The action for a class is the
   first of: the group's `on_violation` for that tool, the tool's `on_violation`,
   the policy's `on_violation`, and finally block.

Findings below a class's `min_score` never reach this function (the checker drops them).

The rollout mode (`mode:`, per group `groups.<id>.mode:`; see `effective_action`) is
applied after the action is chosen: `Decision.action` is always what the policy as
written decides — what `leitplanke check` prints as `verdict`, what examples `expect`
and what the findings log keeps as `action` — and `Decision.effective` is what the
gateway does with it in that mode (`enforced` in the log).

The rest of the pipeline is decided here too, as pure functions: the action for a
prompt that could not be checked (`fail_action`, `unchecked_decision`), inline files
without a reader (`with_unscanned`) or not read completely (`with_unreadable`,
`unreadable_action`), uploads that bypass the gateway (`with_unseen`), and what the
gateway applies once coaching
and redaction had their say (`applied`): computed once, before the answer and the
record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from policy.model import ACTION_RANK, Action, Mode, Policy, ToolStatus


@dataclass(frozen=True)
class Decision:
    action: Action  # what the policy as written decides
    reasons: tuple[str, ...]  # machine-readable, e.g. "personal:not_allowed:block"
    data_classes: tuple[str, ...]  # violating classes, in policy order
    tool: str | None
    tool_status: ToolStatus
    alternatives: tuple[str, ...]  # approved tools that allow every violating class
    mode: Mode = "enforce"  # the rollout mode for the sender's group

    @property
    def effective(self) -> Action:
        """What the gateway does in this rollout mode (derived, so that a changed
        `action`, e.g. by `dataclasses.replace`, keeps both consistent)."""
        return effective_action(self.action, self.mode)

    @property
    def mode_applied(self) -> bool:
        """The rollout mode changed what happens (the log says why: `mode:<mode>`)."""
        return self.effective != self.action

    @property
    def recorded_reasons(self) -> tuple[str, ...]:
        """The reasons as recorded: plus `mode:<mode>` when the rollout mode changed
        what happens (one place for the HTTP and the WebSocket guard)."""
        return (*self.reasons, f"mode:{self.mode}") if self.mode_applied else self.reasons


def effective_action(action: Action, mode: Mode) -> Action:
    """What the gateway does with the policy's `action` in rollout `mode`.

    monitor: nothing is enforced; the request passes unchanged and whatever the policy
        would have done is only recorded ("log"; "allow" stays "allow").
    coach: "block" becomes "warn" (the coaching flow); "redact", "warn", "log" and
        "allow" stay as they are.
    enforce: the policy as written.
    """
    if mode == "monitor":
        return "allow" if action == "allow" else "log"
    if mode == "coach" and action == "block":
        return "warn"
    return action


class HasDataClass(Protocol):
    @property
    def data_class(self) -> str: ...


def decide(
    policy: Policy,
    service: str | None,
    group: str | None,
    findings: Iterable[HasDataClass | str],
) -> Decision:
    """Decide for a prompt to `service` by a member of `group` with these `findings`.

    `findings` are the checker's findings (anything with a `data_class`) or just the
    names of the data classes found. `service=None` means "no particular tool": only
    the data rules apply, as if the prompt went to a tool that allows nothing (used by
    `leitplanke check`).
    """
    found = {f if isinstance(f, str) else f.data_class for f in findings}
    listed = policy.tool_for_service(service)
    tool_id, tool = listed if listed else (None, None)

    actions: list[Action] = ["allow"]
    reasons: list[str] = []
    if tool is not None:
        use = tool.use_action()
        if use != "allow":
            actions.append(use)
            reasons.append(f"tool_{tool.status}:{use}")
    elif service is not None:
        actions.append(policy.unlisted_ai_tools)
        reasons.append(f"unlisted_tool:{policy.unlisted_ai_tools}")

    allowed = set(allowed_classes(policy, tool_id, group)) if tool_id else set()
    violating = [name for name in policy.data_classes if name in found and name not in allowed]
    for name in violating:
        action = class_action(policy, tool_id, group, name)
        actions.append(action)
        reasons.append(f"{name}:not_allowed:{action}")

    return Decision(
        action=most_restrictive(actions),
        reasons=tuple(reasons),
        data_classes=tuple(violating),
        tool=tool_id,
        tool_status=tool.status if tool else "unapproved",
        alternatives=alternatives(policy, group, violating),
        mode=policy.mode_of(group),
    )


def unchecked_decision(
    policy: Policy, service: str | None, group: str | None, reason: str, action: Action
) -> Decision:
    """The decision for a prompt that could not be checked (oversize, checker error,
    undecodable body): the given action, the tool facts of the policy, no classes."""
    base = decide(policy, service, group, ())
    return Decision(
        action=action,
        reasons=(reason, *base.reasons),
        data_classes=(),
        tool=base.tool,
        tool_status=base.tool_status,
        alternatives=(),
        mode=base.mode,
    )


def fail_action(policy: Policy, override: str = "policy") -> Action:
    """What a prompt gets when it cannot be checked: `override` (the gateway's
    `leitplanke_fail_mode`) or, with "policy", the policy's fail_mode. "open" allows;
    anything else blocks, so that no misspelt mode can let a prompt through."""
    mode = policy.fail_mode if override == "policy" else override
    return "allow" if mode == "open" else "block"


def with_unscanned(decision: Decision, unscanned: int, policy: Policy) -> Decision:
    """Inline files the checker could not read get the policy's `unscanned_files`
    action; the more restrictive of that and the findings' decision wins."""
    if not unscanned:
        return decision
    return replace(
        decision,
        action=most_restrictive([decision.action, policy.unscanned_files]),
        reasons=(*decision.reasons, f"unscanned_files:{unscanned}:{policy.unscanned_files}"),
    )


def unreadable_action(policy: Policy, service: str | None, group: str | None) -> Action:
    """What a file that could not be read completely gets, for this tool and group.

    The policy's `unreadable_files`; by default ("as_data_classes") the file counts as
    holding every data class the tool does not allow: the most restrictive of their
    actions, where "warn" and "redact" become "block" (nobody could justify or rewrite
    what nobody could read). A tool that allows every class takes the file. Either way
    never more lenient than `unscanned_files`: a file read in part is no safer than
    one not read at all.
    """
    action: Action
    if policy.unreadable_files == "as_data_classes":
        listed = policy.tool_for_service(service)
        tool_id = listed[0] if listed else None
        allowed = set(allowed_classes(policy, tool_id, group)) if tool_id else set()
        action = most_restrictive(
            class_action(policy, tool_id, group, name)
            for name in policy.data_classes
            if name not in allowed
        )
        if action in ("warn", "redact"):
            action = "block"
    else:
        action = policy.unreadable_files
    return most_restrictive([action, policy.unscanned_files])


def with_unreadable(
    decision: Decision,
    whys: Iterable[str],
    policy: Policy,
    service: str | None,
    group: str | None,
) -> Decision:
    """Files that could not be read completely (`whys`: one reason each, e.g.
    "encrypted") get `unreadable_action`; the more restrictive of that and the
    decision so far wins. Recorded once per reason: `unreadable_file:<why>:<action>`."""
    distinct = tuple(dict.fromkeys(whys))
    if not distinct:
        return decision
    action = unreadable_action(policy, service, group)
    return replace(
        decision,
        action=most_restrictive([decision.action, action]),
        reasons=(*decision.reasons, *(f"unreadable_file:{why}:{action}" for why in distinct)),
    )


def with_unseen(
    decision: Decision, unseen: int, policy: Policy, service: str | None, group: str | None
) -> Decision:
    """Uploads whose bytes bypass the gateway (Le Chat's signed storage URLs): files
    nobody can read, so they get `unreadable_action` (by default blocked unless the tool
    may take every data class); the more restrictive of that and the findings' decision
    wins."""
    if not unseen:
        return decision
    action = unreadable_action(policy, service, group)
    return replace(
        decision,
        action=most_restrictive([decision.action, action]),
        reasons=(*decision.reasons, f"unseen_upload:{unseen}:{action}"),
    )


# What a decision is about: the prompt's findings, or a prompt that was too large or
# could not be checked (checker error, undecodable body, internal error).
Checked = Literal["findings", "oversize", "checker_error"]
Step = Literal["coach", "redact"]


def inline_step(decision: Decision, checked: Checked) -> Step | None:
    """What the HTTP path does before answering: coach a "warn" about the prompt's
    findings, redact for a "redact" (after the rollout mode). An oversize or unchecked
    prompt has nothing an employee could justify and nothing to rewrite."""
    if checked != "findings":
        return None
    if decision.effective == "warn":
        return "coach"
    if decision.effective == "redact":
        return "redact"
    return None


@dataclass(frozen=True)
class Applied:
    """What the gateway does with a decision, and the reasons it records for that."""

    action: Action  # allow | log | warn (stopped, with a coaching link) | redact | block
    reasons: tuple[str, ...]


def applied(
    decision: Decision,
    checked: Checked = "findings",
    *,
    inline: bool = True,
    justified: bool = False,
    coached: bool = False,
    redacted: bool = False,
) -> Applied:
    """The action applied to a prompt, computed once before it is answered and recorded.

    inline: the path can coach and redact (HTTP requests). Without (WebSocket messages)
        a "warn" or "redact" is enforced as a block, the safe reading of a policy that
        asks for them.
    justified: an earlier justification covers this "warn": it is allowed.
    coached: the "warn" was stopped with a one-time coaching link.
    redacted: the "redact" body was rewritten; else it is blocked.
    """
    step = inline_step(decision, checked) if inline else None
    action: Action
    if step == "coach":
        action = "allow" if justified else "warn"
    elif step == "redact":
        action = "redact" if redacted else "block"
    else:
        action = "block" if decision.effective in ("warn", "redact") else decision.effective
    reasons = decision.recorded_reasons
    if justified:
        reasons = (*reasons, "justified")
    elif coached:
        reasons = (*reasons, "coached")
    elif step == "redact" and not redacted:
        reasons = (*reasons, "redact_unsupported")
    elif action != decision.action:
        reasons = (*reasons, f"{decision.action}:enforced_as_{action}")
    return Applied(action, reasons)


def most_restrictive(actions: Iterable[Action]) -> Action:
    return max(actions, key=lambda a: ACTION_RANK[a], default="allow")


def allowed_classes(policy: Policy, tool_id: str, group: str | None) -> tuple[str, ...]:
    own = policy.tools[tool_id].allowed
    override = policy.groups[group].tools.get(tool_id) if group in policy.groups else None
    extra = tuple(c for c in override.allowed if c not in own) if override is not None else ()
    return own + extra


def class_action(policy: Policy, tool_id: str | None, group: str | None, name: str) -> Action:
    if tool_id is not None:
        override = policy.groups[group].tools.get(tool_id) if group in policy.groups else None
        if override is not None and name in override.on_violation:
            return override.on_violation[name]
        if name in policy.tools[tool_id].on_violation:
            return policy.tools[tool_id].on_violation[name]
    return policy.on_violation.get(name, "block")


def alternatives(policy: Policy, group: str | None, violating: list[str]) -> tuple[str, ...]:
    """Approved tools that would take every violating class (the legal way to do it)."""
    if not violating:
        return ()
    return tuple(
        tool.display_name(tool_id)
        for tool_id, tool in policy.tools.items()
        if tool.is_alternative() and set(violating) <= set(allowed_classes(policy, tool_id, group))
    )
