"""Warnings about a valid policy: legal but probably not what the author wants.

Each warning is located (file:line) and says what to do about it.
"""

from __future__ import annotations

from collections.abc import Iterable

from policy.decide import allowed_classes
from policy.loader import LoadedPolicy, Problem


def policy_warnings(loaded: LoadedPolicy, detectable: Iterable[str] | None = None) -> list[Problem]:
    """`detectable`: entity types the checker has a recognizer for (None: don't check)."""
    policy = loaded.policy
    warnings: list[Problem] = []
    usable = [tid for tid, tool in policy.tools.items() if tool.status == "approved"]

    for name, data_class in policy.data_classes.items():
        label = data_class.name_in(name, "en")
        if not (data_class.entities or data_class.terms or data_class.patterns):
            warnings.append(
                loaded.problem(
                    ("data_classes", name),
                    f"data class {name!r} detects nothing",
                    "add entities, terms or patterns, or remove it",
                )
            )
            continue
        if set(data_class.entities) == {"SECRET"}:
            continue  # credentials never have a legal place in an AI tool
        if not any(name in allowed_classes(policy, tid, None) for tid in usable):
            warnings.append(
                loaded.problem(
                    ("data_classes", name),
                    f"no tool is approved for {label} — employees will have no legal alternative",
                    "approve a tool for it under tools:, or accept that such work stays manual",
                )
            )
        if detectable is not None:
            for index, entity in enumerate(data_class.entities):
                if entity not in detectable:
                    warnings.append(
                        loaded.problem(
                            ("data_classes", name, "entities", index),
                            f"{entity} is not detected by this version of the checker yet",
                            "findings of this type will not occur",
                        )
                    )

    for tool_id, tool in policy.tools.items():
        for index, name in enumerate(tool.allowed):
            if "HEALTH_DATA" in policy.data_classes[name].entities:
                warnings.append(
                    loaded.problem(
                        ("tools", tool_id, "allowed", index),
                        f"{tool.display_name(tool_id)} is allowed health data (GDPR Art. 9)",
                        "make sure a data processing agreement and a DPIA cover it",
                    )
                )
        if tool.status != "approved" and tool.allowed:
            warnings.append(
                loaded.problem(
                    ("tools", tool_id, "allowed"),
                    f"{tool.display_name(tool_id)} is {tool.status} but allows data classes",
                    "only approved tools should receive sensitive data; approve it or empty it",
                )
            )

    for group_id, group in policy.groups.items():
        if not (group.users or group.networks):
            warnings.append(
                loaded.problem(
                    ("groups", group_id),
                    f"group {group_id!r} has no users and no networks",
                    "nobody can be in it; add users: or networks:",
                )
            )

    if policy.unlisted_ai_tools == "allow":
        warnings.append(
            loaded.problem(
                ("unlisted_ai_tools",),
                "use of unlisted AI tools is not even logged",
                "'log' keeps the shadow-AI inventory without blocking anyone",
            )
        )
    if policy.fail_mode == "open":
        warnings.append(
            loaded.problem(
                ("fail_mode",),
                "prompts pass unchecked whenever the checker fails",
                "'closed' is the safe default",
            )
        )
    if policy.unreadable_files in ("allow", "log") and policy.unscanned_files != "block":
        warnings.append(
            loaded.problem(
                ("unreadable_files",),
                "files that could not be checked completely (encrypted, too large, "
                "10,000 archive members …) pass to every tool",
                "'as_data_classes' (the default) treats them like the data they may hold",
            )
        )
    if not policy.examples:
        warnings.append(
            loaded.problem(
                (),
                "the policy has no examples:",
                "add a few (text, tool, expect) so 'leitplanke policy test' can check it",
            )
        )
    return warnings
