"""The one-page policy as a pydantic model.

Unknown keys are errors so that a typo never silently weakens a policy. Every
cross-reference (data classes, tools, services, groups) is checked here; the
loader turns each problem into `file:line:column: what — did you mean …`.
"""

from __future__ import annotations

import ipaddress
import re
import string
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from policy.catalog import default_catalog
from policy.entities import KNOWN_ENTITIES, class_of_entity
from policy.tenant_rules import as_lists as tenant_as_lists
from policy.tenant_rules import check_tools as check_tenant_tools
from policy.tenant_rules import validate_tenant
from policy.validators import KNOWN_VALIDATORS, stdnum_validator

Action = Literal["allow", "log", "warn", "redact", "block"]
ToolStatus = Literal["approved", "tolerated", "unapproved"]
# Rollout mode (policy-wide `mode:` and per group `groups.<id>.mode:`; the group's wins):
# monitor — record what the policy would do, enforce nothing (the request passes unchanged);
# coach   — "block" becomes "warn" (coaching with a justification link), the rest as written;
# enforce — the policy as written (the default).
Mode = Literal["monitor", "coach", "enforce"]
Lang = Literal["de", "en"]

# Most restrictive wins. "log" lets the prompt pass but records the violation;
# "warn" coaches; "redact" rewrites; "block" stops it.
ACTION_RANK: dict[str, int] = {"allow": 0, "log": 1, "warn": 2, "redact": 3, "block": 4}

# What using a listed tool means before any data rule, by its status.
DEFAULT_TOOL_ACTION: dict[str, Action] = {
    "approved": "allow",
    "tolerated": "log",
    "unapproved": "block",
}


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


class Text(_Strict):
    """A text in German and/or English; the other language is the fallback."""

    de: str | None = None
    en: str | None = None

    @model_validator(mode="after")
    def _some_text(self) -> Text:
        if not (self.de or self.en):
            raise _problem("empty_text", "write the text under de: and/or en:", ())
        return self

    def text(self, lang: str) -> str:
        first, second = (self.en, self.de) if lang == "en" else (self.de, self.en)
        return first or second or ""


# Kept for readers of older code: labels are Texts.
Label = Text


class PatternRule(_Strict):
    """A custom identifier, e.g. customer numbers `KD-\\d{6}`, optionally checksummed."""

    regex: str
    # A python-stdnum module (`iban`, `luhn`, `de.idnr`, `de.vat`, …) whose is_valid()
    # must accept the match.
    validator: str | None = None
    score: float = Field(default=0.9, ge=0.0, le=1.0)

    @field_validator("regex")
    @classmethod
    def _valid_regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise _problem(
                "invalid_regex", f"invalid regular expression {value!r}: {exc}", ()
            ) from None
        return value

    @field_validator("validator")
    @classmethod
    def _known_validator(cls, value: str | None) -> str | None:
        if value is not None and stdnum_validator(value) is None:
            raise _problem(
                "unknown_validator",
                f"unknown checksum validator {value!r} (a python-stdnum module name)",
                (),
                KNOWN_VALIDATORS,
                value,
            )
        return value


class DataClass(_Strict):
    label: Text | None = None
    description: Text | None = None
    entities: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    patterns: tuple[PatternRule, ...] = ()
    min_score: float = Field(default=0.5, ge=0.0, le=1.0)

    @field_validator("patterns", mode="before")
    @classmethod
    def _plain_regex_strings(cls, value: object) -> object:
        # `patterns: ['KD-\d{6}']` is the short form of `[{regex: 'KD-\d{6}'}]`.
        if isinstance(value, list):
            return [{"regex": v} if isinstance(v, str) else v for v in value]
        return value

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

    def name_in(self, name: str, lang: str) -> str:
        return self.label.text(lang) if self.label else name


class Tool(_Strict):
    name: str | None = None
    services: tuple[str, ...]
    status: ToolStatus = "approved"
    allowed: tuple[str, ...] = ()
    # Per-tool override of the policy-wide on_violation.
    on_violation: dict[str, Action] = Field(default_factory=dict)
    # What using this tool at all means (default by status: allow / log / block).
    action: Action | None = None
    # Vendor tenant restrictions, e.g. {chatgpt_workspace_ids: [...]}: keys, headers and
    # value formats in rules/tenant_headers.yaml (policy/tenant_rules.py).
    tenant: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    note: Text | None = None

    @field_validator("tenant", mode="before")
    @classmethod
    def _tenant_short_forms(cls, value: object) -> object:
        return tenant_as_lists(value)

    @field_validator("tenant")
    @classmethod
    def _known_tenant_keys(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        return validate_tenant(value)

    @field_validator("services")
    @classmethod
    def _known_services(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        known = default_catalog().services
        for index, service in enumerate(value):
            if service not in known:
                raise _problem(
                    "unknown_service",
                    f"unknown service {service!r} (not in the AI service catalog)",
                    (index,),
                    sorted(known),
                    service,
                )
        return value

    def use_action(self) -> Action:
        return self.action or DEFAULT_TOOL_ACTION[self.status]

    def is_alternative(self) -> bool:
        """Approved and usable: what messages and the guideline point employees to."""
        return self.status == "approved" and self.use_action() in ("allow", "log")

    def display_name(self, tool_id: str) -> str:
        return self.name or tool_id


class GroupTool(_Strict):
    allowed: tuple[str, ...] = ()
    on_violation: dict[str, Action] = Field(default_factory=dict)


class Group(_Strict):
    label: Text | None = None
    # Members: proxy-auth user names (case-insensitive) and/or client networks.
    users: tuple[str, ...] = ()
    networks: tuple[str, ...] = ()
    tools: dict[str, GroupTool] = Field(default_factory=dict)
    # Rollout mode for this group's members; None: the policy-wide `mode`.
    mode: Mode | None = None

    @field_validator("networks")
    @classmethod
    def _valid_networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for index, network in enumerate(value):
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise _problem(
                    "invalid_network",
                    f"{network!r} is not an IP network (write e.g. 10.20.0.0/24)",
                    (index,),
                ) from None
        return value


class Privacy(_Strict):
    pseudonymize_users: bool = True
    retention_days: int = Field(default=90, ge=1)
    # What the findings log keeps of a detected value.
    excerpt: Literal["none", "type_only", "masked"] = "masked"


class ScanBudget(_Strict):
    """What the checker may spend on one request. Beyond it the prompt is not checked
    and gets the fail mode (`fail_mode: closed` blocks), recorded with its own reason
    `scan_budget`, so that no upload can hold a checker worker for minutes."""

    # Checker time per request (the gateway's leitplanke_scan_timeout_ms applies too;
    # the smaller one wins). The worker of a scan that runs over is replaced.
    max_seconds: float = Field(default=20.0, gt=0, le=600)
    # Characters of extracted text per request (all parts and files together): larger
    # prompts are not scanned at all.
    max_characters: int = Field(default=10_000_000, ge=1_000)


class Example(_Strict):
    """A policy test: this text, to this tool or service, by this group → this action."""

    text: str
    tool: str | None = None
    service: str | None = None
    group: str | None = None
    expect: Action
    note: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Example:
        if (self.tool is None) == (self.service is None):
            raise _problem(
                "example_target", "an example names exactly one of 'tool' or 'service'", ()
            )
        if self.service is not None and self.service not in default_catalog().services:
            known = sorted(default_catalog().services)
            raise _problem(
                "unknown_service",
                f"unknown service {self.service!r}",
                ("service",),
                known,
                self.service,
            )
        return self


# Message key -> the placeholders its text may use (see rules/messages.yaml).
_COMMON = {"service", "organization", "contact", "request", "request_info"}
MESSAGE_PLACEHOLDERS: dict[str, set[str]] = {
    "block": _COMMON | {"found", "classes", "alternative"},
    "coach": _COMMON | {"found", "classes", "alternative", "coach_link", "minutes"},
    "coach_tool": _COMMON | {"coach_link", "minutes"},
    "alternative": {"tools"},
    "no_alternative": set(),
    **dict.fromkeys(("unlisted_tool", "upload_unseen", "checker_error"), _COMMON),
    "unreadable_file": _COMMON | {"why"},
    "coach_unreadable_file": _COMMON | {"why", "coach_link", "minutes"},
    "oversize": _COMMON | {"size_mb", "limit_mb"},
}
MESSAGE_KEYS = tuple(MESSAGE_PLACEHOLDERS)


class Policy(_Strict):
    version: int | str
    organization: str
    contact: str
    # Where to ask for approval of a new tool (URL or address); defaults to contact.
    approval_request: str | None = None
    language: Lang = "de"
    data_classes: dict[str, DataClass]
    tools: dict[str, Tool] = Field(default_factory=dict)
    on_violation: dict[str, Action] = Field(default_factory=dict)
    unlisted_ai_tools: Action = "log"
    # Rollout mode for everyone not in a group with its own `mode` (see Mode).
    mode: Mode = "enforce"
    groups: dict[str, Group] = Field(default_factory=dict)
    privacy: Privacy = Field(default_factory=Privacy)
    # Employee-facing texts that replace rules/messages.yaml's (same placeholders).
    messages: dict[str, Text] = Field(default_factory=dict)
    # What happens to a prompt when the checker itself fails.
    fail_mode: Literal["closed", "open"] = "closed"
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    oversize_action: Action = "block"
    scan_budget: ScanBudget = Field(default_factory=ScanBudget)
    # Files the gateway has no reader for (images — no OCR —, legacy Office files, audio):
    # what happens to a prompt that carries one (allow, log or block: such a file can be
    # neither redacted nor justified by the data classes found in it).
    unscanned_files: Literal["allow", "log", "block"] = "log"
    # Files that could not be read completely (over a size, page or member bound,
    # encrypted, broken, an archive format without a reader, a slice of a file uploaded
    # in parts). "as_data_classes": as if the file held every data class the tool does
    # not allow (policy/decide.py unreadable_action); or allow, log, block. Never more
    # lenient than unscanned_files.
    unreadable_files: Literal["as_data_classes", "allow", "log", "block"] = "as_data_classes"
    examples: tuple[Example, ...] = ()
    # Warning ids (or kinds) `leitplanke policy check --strict` no longer counts.
    acknowledge: tuple[str, ...] = ()

    @field_validator("messages")
    @classmethod
    def _known_message_keys(cls, value: dict[str, Text]) -> dict[str, Text]:
        for key, text in value.items():
            if key not in MESSAGE_KEYS:
                raise _problem(
                    "unknown_message", f"unknown message {key!r}", (key,), list(MESSAGE_KEYS), key
                )
            allowed = MESSAGE_PLACEHOLDERS[key]
            for lang, template in (("de", text.de or ""), ("en", text.en or "")):
                try:
                    used = {name for _, name, _, _ in string.Formatter().parse(template) if name}
                except ValueError as exc:
                    raise _problem(
                        "bad_message", f"message {key}.{lang}: {exc}", (key, lang)
                    ) from None
                for name in sorted(used - allowed):
                    raise _problem(
                        "unknown_placeholder",
                        f"message {key}.{lang} uses unknown placeholder {{{name}}}",
                        (key, lang),
                        sorted(allowed),
                        name,
                    )
        return value

    @model_validator(mode="after")
    def _references_exist(self) -> Policy:
        self._check_class_references()
        self._check_groups()
        self._check_examples()
        check_tenant_tools(self.tools)  # one value per one-value header across tools
        return self

    def _undefined_class(self, name: str, where: tuple[str | int, ...]) -> PydanticCustomError:
        return _problem(
            "undefined_data_class",
            f"data class {name!r} is not defined under data_classes",
            where,
            sorted(self.data_classes),
            name,
        )

    def _undefined_tool(self, name: str, where: tuple[str | int, ...]) -> PydanticCustomError:
        return _problem(
            "undefined_tool",
            f"tool {name!r} is not defined under tools",
            where,
            sorted(self.tools),
            name,
        )

    def _check_class_references(self) -> None:
        for name in self.on_violation:
            if name not in self.data_classes:
                raise self._undefined_class(name, ("on_violation", name))
        for tool_id, tool in self.tools.items():
            for index, name in enumerate(tool.allowed):
                if name not in self.data_classes:
                    raise self._undefined_class(name, ("tools", tool_id, "allowed", index))
            for name in tool.on_violation:
                if name not in self.data_classes:
                    raise self._undefined_class(name, ("tools", tool_id, "on_violation", name))
        seen: dict[str, str] = {}
        for tool_id, tool in self.tools.items():
            for index, service in enumerate(tool.services):
                if service in seen:
                    raise _problem(
                        "duplicate_service",
                        f"service {service!r} is already covered by tool {seen[service]!r}; "
                        "a service belongs to one tool",
                        ("tools", tool_id, "services", index),
                    )
                seen[service] = tool_id

    def _check_groups(self) -> None:
        members: dict[str, str] = {}
        networks: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str]] = []
        for group_id, group in self.groups.items():
            for tool_id, override in group.tools.items():
                if tool_id not in self.tools:
                    raise self._undefined_tool(tool_id, ("groups", group_id, "tools", tool_id))
                base = ("groups", group_id, "tools", tool_id)
                for index, name in enumerate(override.allowed):
                    if name not in self.data_classes:
                        raise self._undefined_class(name, (*base, "allowed", index))
                for name in override.on_violation:
                    if name not in self.data_classes:
                        raise self._undefined_class(name, (*base, "on_violation", name))
            for index, user in enumerate(group.users):
                key = user.casefold()
                if key in members:
                    raise _problem(
                        "overlapping_groups",
                        f"user {user!r} is already in group {members[key]!r}; "
                        "a user belongs to one group",
                        ("groups", group_id, "users", index),
                    )
                members[key] = group_id
            for index, text in enumerate(group.networks):
                network = ipaddress.ip_network(text, strict=False)
                for other, other_group in networks:
                    if network.version == other.version and network.overlaps(other):
                        raise _problem(
                            "overlapping_groups",
                            f"network {text} overlaps {other} of group {other_group!r}; "
                            "an address belongs to one group",
                            ("groups", group_id, "networks", index),
                        )
                networks.append((network, group_id))

    def _check_examples(self) -> None:
        for index, example in enumerate(self.examples):
            if example.tool is not None and example.tool not in self.tools:
                raise self._undefined_tool(example.tool, ("examples", index, "tool"))
            if example.group is not None and example.group not in self.groups:
                raise _problem(
                    "undefined_group",
                    f"group {example.group!r} is not defined under groups",
                    ("examples", index, "group"),
                    sorted(self.groups),
                    example.group,
                )

    # ---- lookups used by decide(), the gateway and the renderer ----------
    def class_of_entity(self) -> dict[str, str]:
        """Entity type -> the first data class that lists it."""
        return class_of_entity(self.data_classes)

    def tool_for_service(self, service: str | None) -> tuple[str, Tool] | None:
        if service is None:
            return None
        for tool_id, tool in self.tools.items():
            if service in tool.services:
                return tool_id, tool
        return None

    def group_of(self, user: str | None, address: str | None) -> str | None:
        """The group of a proxy-auth user, else of a client address; None if neither."""
        if user:
            key = user.casefold()
            for group_id, group in self.groups.items():
                if any(member.casefold() == key for member in group.users):
                    return group_id
        if address:
            try:
                ip = ipaddress.ip_address(address.split("%")[0])
            except ValueError:
                return None
            if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
                ip = ip.ipv4_mapped  # ::ffff:10.0.0.5 from a dual-stack listener
            for group_id, group in self.groups.items():
                for network in group.networks:
                    if ip in ipaddress.ip_network(network, strict=False):
                        return group_id
        return None

    def mode_of(self, group: str | None) -> Mode:
        """The rollout mode for a member of `group` (None: in no group)."""
        own = self.groups[group].mode if group in self.groups else None
        return own or self.mode

    @property
    def how_to_request(self) -> str:
        return self.approval_request or self.contact
