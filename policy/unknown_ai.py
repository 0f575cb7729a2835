"""The "unknown AI?" heuristic: does a host outside the catalog look like an AI service?

The rules are data (rules/ai_discovery.yaml, or a file an administrator names),
validated with pydantic when they load. Matching looks at the host name only: pure
functions, no DNS, no network. A host in the AI service catalog is never flagged; it
is a known service, not an unknown one.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from policy.catalog import Catalog, covers, default_catalog, is_host_name
from rules import read_rules_yaml

_WORD = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_RULE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class DiscoveryRulesError(ValueError):
    """The discovery rules file is invalid."""


def _check_words(value: tuple[str, ...]) -> tuple[str, ...]:
    for word in value:
        if not _WORD.match(word):
            raise ValueError(f"{word!r} must be lowercase letters and digits")
    return value


class Rule(BaseModel):
    """One named rule; it matches a host when all the conditions it has hold."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    tlds: tuple[str, ...] = ()
    first_label: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    substrings: tuple[str, ...] = ()
    except_domains: tuple[str, ...] = Field(default=(), alias="except")

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _RULE_NAME.match(value):
            raise ValueError(f"{value!r} must be lowercase words joined by '-'")
        return value

    @field_validator("tlds", "first_label", "words", "substrings")
    @classmethod
    def _lowercase_words(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _check_words(value)

    @field_validator("except_domains")
    @classmethod
    def _domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for domain in value:
            if not is_host_name(domain):
                raise ValueError(f"{domain!r} is not a lowercase DNS name")
        return value

    @model_validator(mode="after")
    def _has_a_condition(self) -> Rule:
        if not (self.tlds or self.words or self.substrings):
            raise ValueError("a rule needs at least one of tlds, words, substrings")
        return self

    def matches(self, labels: tuple[str, ...]) -> bool:
        """`labels`: the host's labels, TLD last (at least two)."""
        host = ".".join(labels)
        if any(covers(domain, host) for domain in self.except_domains):
            return False
        tld, names = labels[-1], labels[:-1]
        if self.tlds and tld not in self.tlds:
            return False
        if self.first_label:
            if len(names) < 2 or names[0] not in self.first_label:
                return False
            names = names[1:]
        if self.words:
            parts = {part for label in names for part in (label, *label.split("-"))}
            if parts.isdisjoint(self.words):
                return False
        return not self.substrings or any(s in label for label in names for s in self.substrings)


class RulesFile(BaseModel):
    """rules/ai_discovery.yaml as written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    ignore: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = Field(min_length=1)

    @field_validator("version")
    @classmethod
    def _version(cls, value: int) -> int:
        if value != 1:
            raise ValueError(f"unsupported version {value}; this gateway reads version 1")
        return value

    @field_validator("ignore")
    @classmethod
    def _ignore_domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for domain in value:
            if not is_host_name(domain):
                raise ValueError(f"{domain!r} is not a lowercase DNS name")
        return value

    @field_validator("rules")
    @classmethod
    def _unique_names(cls, value: tuple[Rule, ...]) -> tuple[Rule, ...]:
        names = [rule.name for rule in value]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"rule names must be unique: {duplicates}")
        return value


@dataclass(frozen=True)
class DiscoveryRules:
    """The loaded rules; `match(host)` names the rule that flags a host, if any."""

    rules: tuple[Rule, ...]
    ignore: tuple[str, ...] = ()
    catalog: Catalog | None = field(default=None, compare=False)

    def match(self, host: str | None) -> str | None:
        """The name of the first rule that flags `host` as AI-like; None for a
        non-AI-looking host, an IP address, or a host in the AI service catalog."""
        name = normalize_host(host)
        if name is None:
            return None
        if any(covers(domain, name) for domain in self.ignore):
            return None
        if (self.catalog or default_catalog()).lookup(name) is not None:
            return None
        labels = tuple(name.split("."))
        for rule in self.rules:
            if rule.matches(labels):
                return rule.name
        return None


def normalize_host(host: str | None) -> str | None:
    """Lowercase, without trailing dot; None for empty names, IP addresses and
    anything that is not a DNS host name with at least two labels."""
    if not host:
        return None
    name = host.strip().lower().rstrip(".")
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    try:
        ipaddress.ip_address(name)
        return None
    except ValueError:
        pass
    return name if is_host_name(name) else None


def parse_discovery_rules(
    data: object, origin: str = "<rules>", catalog: Catalog | None = None
) -> DiscoveryRules:
    """Rules from parsed YAML; DiscoveryRulesError naming `origin` if invalid."""
    try:
        parsed = RulesFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_location(err['loc'], data)}: {str(err['msg']).removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise DiscoveryRulesError(f"{origin}: {problems}") from None
    return DiscoveryRules(rules=parsed.rules, ignore=parsed.ignore, catalog=catalog)


def load_discovery_rules(
    path: str | os.PathLike[str] | None = None, catalog: Catalog | None = None
) -> DiscoveryRules:
    """Rules from a YAML file (default: rules/ai_discovery.yaml).

    Raises OSError if the file cannot be read, DiscoveryRulesError (a ValueError) if
    it is not valid YAML or not valid rules. `catalog` (default: the default catalog)
    names the hosts that are never flagged.
    """
    data, origin = read_rules_yaml(path, "ai_discovery.yaml", DiscoveryRulesError)
    return parse_discovery_rules(data, origin, catalog)


def _location(loc: tuple[int | str, ...], data: object) -> str:
    """`rules[2] (ai-tld).words` rather than `rules.2.words`."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            item = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                out += f" ({item['name']})"
            node = item
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "file"
