"""Warnings about a valid policy: legal but probably not what the author wants.

Each warning is located (file:line), says what to do about it, is worded in the
policy's language (rules/policy_warnings.yaml) and has an id, `<kind>:<subject>`
(e.g. `no-approved-tool:special`), shown in brackets after it. A policy acknowledges
a warning it means — `acknowledge: [health-data-allowed-group:hr/chatgpt-enterprise]`,
or a whole kind — and `leitplanke policy check --strict` stops counting it, so CI
fails only on new warnings. An acknowledged id that no longer occurs is a warning
itself (`unused-acknowledgement`), so a stale list does not hide a later one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from policy.decide import allowed_classes
from policy.loader import LoadedPolicy, Path_, Problem
from policy.model import Policy
from rules import rules_yaml

HEALTH = "HEALTH_DATA"


@cache
def _texts() -> dict[str, Any]:
    data: dict[str, Any] = rules_yaml("policy_warnings.yaml")
    return data


@dataclass(frozen=True)
class PolicyWarning:
    id: str  # "<kind>:<subject>" or "<kind>"
    problem: Problem

    @property
    def kind(self) -> str:
        return self.id.split(":", 1)[0]

    def __str__(self) -> str:
        return f"{self.problem} [{self.id}]"


@dataclass(frozen=True)
class Lint:
    """The warnings that count, and those the policy acknowledged."""

    warnings: tuple[PolicyWarning, ...]
    acknowledged: tuple[PolicyWarning, ...]


class _Collector:
    def __init__(self, loaded: LoadedPolicy) -> None:
        self.loaded = loaded
        self.lang = loaded.policy.language
        self.found: list[PolicyWarning] = []

    def add(self, kind: str, subject: str, where: Path_, **values: object) -> None:
        text = _texts()[kind]
        message = text["message"][self.lang].format(**values)
        hint = text["hint"][self.lang].format(**values)
        wid = f"{kind}:{subject}" if subject else kind
        self.found.append(PolicyWarning(wid, self.loaded.problem(where, message, hint)))


def policy_warnings(
    loaded: LoadedPolicy, detectable: Iterable[str] | None = None
) -> list[PolicyWarning]:
    """Every warning, acknowledged or not. `detectable`: entity types the checker has
    a recognizer for (None: don't check)."""
    policy = loaded.policy
    out = _Collector(loaded)
    detectable = set(detectable) if detectable is not None else None
    _data_classes(policy, out, detectable)
    _tools(policy, out)
    for group_id, group in policy.groups.items():
        if not (group.users or group.networks):
            out.add("empty-group", group_id, ("groups", group_id), group=group_id)
    if policy.unlisted_ai_tools == "allow":
        out.add("unlisted-not-logged", "", ("unlisted_ai_tools",))
    if policy.fail_mode == "open":
        out.add("fail-open", "", ("fail_mode",))
    if policy.unreadable_files in ("allow", "log") and policy.unscanned_files != "block":
        out.add("unreadable-files-pass", "", ("unreadable_files",))
    if not policy.examples:
        out.add("no-examples", "", ())
    return out.found


def _approved_anywhere(policy: Policy, name: str) -> bool:
    """Some approved tool takes the class, for everyone or for one of the groups."""
    usable = [tid for tid, tool in policy.tools.items() if tool.status == "approved"]
    groups: list[str | None] = [None, *policy.groups]
    return any(name in allowed_classes(policy, tid, group) for tid in usable for group in groups)


def _data_classes(policy: Policy, out: _Collector, detectable: set[str] | None) -> None:
    for name, data_class in policy.data_classes.items():
        label = data_class.name_in(name, policy.language)
        if not (data_class.entities or data_class.terms or data_class.patterns):
            out.add("empty-class", name, ("data_classes", name), name=name)
            continue
        if set(data_class.entities) == {"SECRET"}:
            continue  # credentials never have a legal place in an AI tool
        if not _approved_anywhere(policy, name):
            out.add("no-approved-tool", name, ("data_classes", name), name=label)
        if detectable is not None:
            for index, entity in enumerate(data_class.entities):
                if entity not in detectable:
                    where = ("data_classes", name, "entities", index)
                    out.add("undetected-entity", entity, where, entity=entity)


def _tools(policy: Policy, out: _Collector) -> None:
    def health(name: str) -> bool:
        return HEALTH in policy.data_classes[name].entities

    for tool_id, tool in policy.tools.items():
        display = tool.display_name(tool_id)
        for index, name in enumerate(tool.allowed):
            if health(name):
                out.add(
                    "health-data-allowed",
                    tool_id,
                    ("tools", tool_id, "allowed", index),
                    tool=display,
                )
        if tool.status != "approved" and tool.allowed:
            out.add(
                "unapproved-tool-allows",
                tool_id,
                ("tools", tool_id, "allowed"),
                tool=display,
                status=tool.status,
            )
    # Group exceptions give health data too: each one is a DPIA of its own.
    for group_id, group in policy.groups.items():
        for tool_id, override in group.tools.items():
            if tool_id not in policy.tools or any(health(n) for n in policy.tools[tool_id].allowed):
                continue  # everyone has it already: warned above
            for index, name in enumerate(override.allowed):
                if health(name):
                    where: Path_ = ("groups", group_id, "tools", tool_id, "allowed", index)
                    display = policy.tools[tool_id].display_name(tool_id)
                    subject = f"{group_id}/{tool_id}"
                    out.add(
                        "health-data-allowed-group", subject, where, tool=display, group=group_id
                    )


def lint(loaded: LoadedPolicy, detectable: Iterable[str] | None = None) -> Lint:
    """The policy's warnings split by its `acknowledge:` list (ids or kinds); an
    acknowledgement that matches nothing is a warning."""
    found = policy_warnings(loaded, detectable)
    acks = loaded.policy.acknowledge
    open_: list[PolicyWarning] = []
    acknowledged: list[PolicyWarning] = []
    for warning in found:
        (acknowledged if warning.id in acks or warning.kind in acks else open_).append(warning)
    used = {w.id for w in acknowledged} | {w.kind for w in acknowledged}
    stale = _Collector(loaded)
    for index, ack in enumerate(acks):
        unchecked = detectable is None and ack.startswith("undetected-entity")
        if ack not in used and not unchecked:
            stale.add("unused-acknowledgement", ack, ("acknowledge", index), name=ack)
    return Lint(tuple(open_ + stale.found), tuple(acknowledged))
