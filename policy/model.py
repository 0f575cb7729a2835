"""The one-page policy as a pydantic model.

Only what the walking skeleton enforces is modelled strictly; unknown keys are
errors so that a typo never silently weakens a policy.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from policy.entities import KNOWN_ENTITIES

Action = Literal["allow", "log", "warn", "redact", "block"]
ToolStatus = Literal["approved", "tolerated", "unapproved"]

# Most restrictive wins. "log" lets the prompt pass but records the violation;
# "warn" coaches; "redact" rewrites; "block" stops it.
ACTION_RANK: dict[str, int] = {"allow": 0, "log": 1, "warn": 2, "redact": 3, "block": 4}


def _problem(
    kind: str,
    message: str,
    where: tuple[str | int, ...],
    choices: list[str] | None = None,
    value: str | None = None,
) -> PydanticCustomError:
    """A validation error that tells the loader where (relative path) and what to suggest."""
    return PydanticCustomError(
        kind, message, {"where": where, "choices": choices or [], "value": value or ""}
    )


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Strict):
    de: str
    en: str | None = None

    def text(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.de


class DataClass(_Strict):
    label: Label | None = None
    entities: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    min_score: float = Field(default=0.5, ge=0.0, le=1.0)

    @field_validator("entities")
    @classmethod
    def _known_entities(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for index, entity in enumerate(value):
            if entity not in KNOWN_ENTITIES:
                raise _problem(
                    "unknown_entity",
                    f"unknown entity type {entity!r}",
                    (index,),
                    sorted(KNOWN_ENTITIES),
                    entity,
                )
        return value

    @field_validator("patterns")
    @classmethod
    def _valid_regex(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for index, pattern in enumerate(value):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise _problem(
                    "invalid_regex", f"invalid regular expression {pattern!r}: {exc}", (index,)
                ) from None
        return value


class Tool(_Strict):
    name: str | None = None
    services: tuple[str, ...]
    status: Literal["approved", "tolerated"] = "approved"
    allowed: tuple[str, ...] = ()
    tenant: dict[str, tuple[str, ...]] = Field(default_factory=dict)


class GroupTool(_Strict):
    allowed: tuple[str, ...] = ()


class Group(_Strict):
    tools: dict[str, GroupTool] = Field(default_factory=dict)


class Privacy(_Strict):
    pseudonymize_users: bool = True
    retention_days: int = Field(default=90, ge=1)


class Policy(_Strict):
    version: int | str
    organization: str
    contact: str
    data_classes: dict[str, DataClass]
    tools: dict[str, Tool] = Field(default_factory=dict)
    on_violation: dict[str, Action] = Field(default_factory=dict)
    unlisted_ai_tools: Action = "log"
    groups: dict[str, Group] = Field(default_factory=dict)
    privacy: Privacy = Field(default_factory=Privacy)
    # What happens to a prompt when the checker itself fails.
    fail_mode: Literal["closed", "open"] = "closed"
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    oversize_action: Action = "block"

    @model_validator(mode="after")
    def _references_exist(self) -> Policy:
        classes = sorted(self.data_classes)

        def undefined_class(name: str, where: tuple[str | int, ...]) -> PydanticCustomError:
            return _problem(
                "undefined_data_class", f"data class {name!r} is not defined", where, classes, name
            )

        for name in self.on_violation:
            if name not in self.data_classes:
                raise undefined_class(name, ("on_violation", name))
        for tool_id, tool in self.tools.items():
            for index, name in enumerate(tool.allowed):
                if name not in self.data_classes:
                    raise undefined_class(name, ("tools", tool_id, "allowed", index))
        for group_id, group in self.groups.items():
            for tool_id, override in group.tools.items():
                if tool_id not in self.tools:
                    raise _problem(
                        "undefined_tool",
                        f"tool {tool_id!r} is not defined under tools",
                        ("groups", group_id, "tools", tool_id),
                        sorted(self.tools),
                        tool_id,
                    )
                for index, name in enumerate(override.allowed):
                    if name not in self.data_classes:
                        raise undefined_class(
                            name, ("groups", group_id, "tools", tool_id, "allowed", index)
                        )
        return self

    def class_of_entity(self) -> dict[str, str]:
        """Entity type -> the first data class that lists it."""
        mapping: dict[str, str] = {}
        for name, data_class in self.data_classes.items():
            for entity in data_class.entities:
                mapping.setdefault(entity, name)
        return mapping

    def tool_for_service(self, service: str | None) -> tuple[str, Tool] | None:
        if service is None:
            return None
        for tool_id, tool in self.tools.items():
            if service in tool.services:
                return tool_id, tool
        return None
