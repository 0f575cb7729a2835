"""Vendor tenant restrictions as rules/tenant_headers.yaml defines them, and checking a
policy's `tenant:` entries against them (the policy model validates with `validate_tenant`
and `check_tools`). What the gateway does with them: policy/tenant.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic_core import PydanticCustomError

from policy.catalog import covers
from rules import rules_yaml

RULES_FILE = "tenant_headers.yaml"


Where = tuple[str | int, ...]


@dataclass(frozen=True)
class ValueFormat:
    name: str
    regex: re.Pattern[str]
    describe: str  # "a UUID"
    example: str


@dataclass(frozen=True)
class TenantRule:
    """One policy key: the header it sets, on which hosts, with what values."""

    key: str
    vendor: str
    product: str
    header: str
    format: ValueFormat
    what: str
    join: str
    max_values: int | None
    requires: tuple[str, ...]
    hosts: tuple[str, ...]  # exact host names
    domains: tuple[str, ...]  # host names and all their subdomains
    block_logged_out: tuple[str, ...]  # path prefixes refused while the key is set
    doc_title: str
    doc_url: str
    note: str = ""

    def applies_to(self, host: str | None) -> bool:
        """`host` is one of `hosts`, or one of `domains` or a subdomain of it.

        `evilchatgpt.com` and `chatgpt.com.example` are not `chatgpt.com`.
        """
        name = normal_host(host)
        if not name:
            return False
        if name in self.hosts:
            return True
        return any(covers(domain, name) for domain in self.domains)

    @property
    def names(self) -> tuple[str, ...]:
        return self.hosts + self.domains


def normal_host(host: str | None) -> str:
    """Lower case, no port, no trailing dot: how hosts are compared here."""
    if not host:
        return ""
    name = host.strip().lower()
    if name.startswith("["):  # an IPv6 literal never matches a vendor name
        return name
    return name.split(":", 1)[0].rstrip(".")


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = rules_yaml(RULES_FILE)
    return data


def tenant_message(key: str, lang: str) -> str:
    """An employee-facing text of rules/tenant_headers.yaml (`messages:`), German fallback."""
    entry = _data()["messages"][key]
    return str(entry.get(lang) or entry["de"])


@cache
def tenant_rules() -> dict[str, TenantRule]:
    """The rules of rules/tenant_headers.yaml by policy key."""
    data = _data()
    formats = {
        name: ValueFormat(
            name, re.compile(entry["regex"]), entry["describe"], str(entry["example"])
        )
        for name, entry in data["formats"].items()
    }
    rules: dict[str, TenantRule] = {}
    for key, entry in data["restrictions"].items():
        rules[key] = TenantRule(
            key=key,
            vendor=entry["vendor"],
            product=entry["product"],
            header=entry["header"],
            format=formats[entry["format"]],
            what=entry["what"],
            join=entry.get("join", ","),
            max_values=entry.get("max_values"),
            requires=tuple(entry.get("requires", ())),
            hosts=tuple(h.lower() for h in entry.get("hosts", ())),
            domains=tuple(d.lower() for d in entry.get("domains", ())),
            block_logged_out=tuple(entry.get("block_logged_out", ())),
            doc_title=entry["doc"]["title"],
            doc_url=entry["doc"]["url"],
            note=" ".join(str(entry.get("note", "")).split()),
        )
    return rules


# ---- validation (used by policy.model.Tool and Policy) ---------------------------------


def _problem(
    kind: str,
    message: str,
    where: Where,
    choices: list[str] | None = None,
    value: str | None = None,
) -> PydanticCustomError:
    """Same shape as policy.model._problem: the loader reads `where`, `choices`, `value`."""
    return PydanticCustomError(
        kind, message, {"where": where, "choices": choices or [], "value": value or ""}
    )


def as_lists(value: object) -> object:
    """`entra_context: <id>` is short for `[<id>]`; a numeric YAML value is its text."""
    if not isinstance(value, Mapping):
        return value

    def text(item: object) -> object:
        return str(item) if isinstance(item, int) and not isinstance(item, bool) else item

    return {
        key: [text(v) for v in item] if isinstance(item, list | tuple) else [text(item)]
        for key, item in value.items()
    }


def validate_tenant(mapping: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Check one tool's `tenant:`; the values come back stripped and without repeats.

    Raises a located error for an unknown key (with the known keys as choices), a value
    in the wrong format (naming the expected one), an empty list, too many values, or a
    key whose companion key (`entra_tenants` ↔ `entra_context`) is missing.
    """
    rules = tenant_rules()
    result: dict[str, tuple[str, ...]] = {}
    for key, raw in mapping.items():
        rule = rules.get(key)
        if rule is None:
            raise _problem(
                "unknown_tenant_key",
                f"unknown tenant restriction {key!r}",
                (key,),
                sorted(rules),
                key,
            )
        values: list[str] = []
        for index, item in enumerate(raw):
            value = item.strip()
            if not rule.format.regex.fullmatch(value):
                raise _problem(
                    "bad_tenant_value",
                    f"{item!r} is not a valid {rule.what}: write "
                    f"{rule.format.describe}, e.g. {rule.format.example}",
                    (key, index),
                )
            if value.casefold() not in (v.casefold() for v in values):
                values.append(value)
        if not values:
            raise _problem(
                "empty_tenant_value",
                f"list at least one {rule.what} (e.g. [{rule.format.example}]) or remove the key",
                (key,),
            )
        if rule.max_values is not None and len(values) > rule.max_values:
            raise _problem(
                "too_many_tenant_values",
                f"{rule.header} takes at most {rule.max_values} value(s), {len(values)} are listed",
                (key, rule.max_values),
            )
        result[key] = tuple(values)
    for key in result:
        for needed in rules[key].requires:
            if needed not in result:
                other = rules[needed]
                raise _problem(
                    "missing_tenant_key",
                    f"{key} needs {needed} as well ({other.header}: {other.what}, "
                    f"e.g. {needed}: [{other.format.example}])",
                    (key,),
                )
    return result


def check_tools(tools: Mapping[str, Any]) -> None:
    """Across tools: a one-value header gets one value, merged lists stay within limits.

    `tools` maps tool ids to objects with a `tenant` mapping (policy.model.Tool).
    """
    rules = tenant_rules()
    first: dict[str, tuple[str, str]] = {}  # key -> (tool id, its first value)
    merged: dict[str, set[str]] = {}  # key -> casefolded values of all tools so far
    for tool_id, tool in tools.items():
        for key, values in tool.tenant.items():
            rule = rules[key]
            where: Where = ("tools", tool_id, "tenant", key)
            owner, value = first.setdefault(key, (tool_id, values[0]))
            if rule.max_values == 1 and value.casefold() != values[0].casefold():
                raise _problem(
                    "conflicting_tenant_value",
                    f"{rule.header} takes one value: tool {owner!r} already sets {key} "
                    f"to {value!r}; write it under one tool only",
                    where,
                )
            known = merged.setdefault(key, set())
            known.update(v.casefold() for v in values)
            if rule.max_values is not None and len(known) > rule.max_values:
                raise _problem(
                    "too_many_tenant_values",
                    f"{rule.header} takes at most {rule.max_values} value(s); all tools "
                    f"together list {len(known)}",
                    where,
                )
