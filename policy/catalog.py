"""The AI service catalog (rules/ai_services.yaml) and host lookup.

Every entry is validated when the catalog loads (a pydantic model with unknown keys
forbidden), and a bad entry raises `CatalogError` naming the service id and field.
A service names exact hosts and/or host families (`host_patterns`,
policy/host_patterns.py); `Catalog.lookup` is the one host matcher identify, discovery
and the portal use, and policy/intercept.py and policy/pac.py build their regexes from
the same hosts and patterns.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from policy.host_patterns import PatternError, check_pattern, compile_pattern, sample_host
from rules import read_rules_yaml

Category = Literal[
    "chat",
    "api",
    "writing",
    "translation",
    "coding",
    "meeting",
    "image",
    "video",
    "voice",
    "search",
    "productivity",
]
Extractor = Literal[
    "openai",
    "anthropic",
    "gemini",
    "bedrock",
    "ollama",
    "chatgpt-web",
    "claude-web",
    "gemini-web",
    "copilot-ws",
    "perplexity-web",
    "deepseek-web",
    "lechat-web",
    "poe-graphql",
    "huggingchat",
    "generic",
]
Residency = Literal["yes", "no", "unknown"]

CATEGORIES: tuple[str, ...] = get_args(Category)
EXTRACTORS: tuple[str, ...] = get_args(Extractor)

# Shared infrastructure that carries far more than AI traffic: never a catalog host
# (a specific name below one of them, e.g. one bucket or one regional endpoint, is).
SHARED_HOSTS = frozenset(
    {
        "amazonaws.com",
        "s3.amazonaws.com",
        "azure.com",
        "azureedge.net",
        "azurefd.net",
        "azurewebsites.net",
        "windows.net",
        "core.windows.net",
        "blob.core.windows.net",
        "cloudapp.net",
        "cloudfront.net",
        "cloudflare.com",
        "cloudflare.net",
        "akamaihd.net",
        "akamaized.net",
        "fastly.net",
        "github.com",
        "githubusercontent.com",
        "github.io",
        "google.com",
        "googleapis.com",
        "clients6.google.com",
        "gstatic.com",
        "googleusercontent.com",
        "appspot.com",
        "run.app",
        "microsoft.com",
        "cloud.microsoft",
        "office.com",
        "office.net",
        "microsoftonline.com",
        "live.com",
        "bing.com",
        "notion.so",
        "notion.com",
        "x.com",
        "twitter.com",
        "discord.com",
        "aliyuncs.com",
        "aliyun.com",
        "baidu.com",
        "adobe.com",
        "vercel.app",
        "netlify.app",
    }
)

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"^(?:{_LABEL}\.)+[a-z](?:[a-z0-9-]{{0,61}}[a-z0-9])?$")
_SERVICE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REGION = re.compile(r"^(?:[A-Z]{2}|global)$")


class CatalogError(ValueError):
    """The catalog file or one of its entries is invalid."""


def is_host_name(host: str) -> bool:
    """A lowercase DNS name with at least two labels: no scheme, port, path or wildcard."""
    return len(host) <= 253 and _HOST.match(host) is not None


def covers(parent: str, host: str) -> bool:
    """`host` is `parent` or one of its subdomains (label-wise, not string suffix)."""
    return host == parent or host.endswith("." + parent)


class ServiceEntry(BaseModel):
    """One service in rules/ai_services.yaml, as written there."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: str = Field(min_length=1)
    vendor: str = Field(min_length=1)
    category: Category
    hosts: tuple[str, ...] = ()
    # Families of regional endpoints (policy/host_patterns.py), e.g. `*-aiplatform.googleapis.com`.
    host_patterns: tuple[str, ...] = ()
    upload_hosts: tuple[str, ...] = ()
    hq_country: str = Field(pattern=r"^[A-Z]{2}$")
    processing_region: str
    eu_data_residency: Residency
    extractor: Extractor
    source: str = Field(min_length=1)

    @field_validator("hosts", "upload_hosts")
    @classmethod
    def _host_syntax(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for host in value:
            if not is_host_name(host):
                raise ValueError(
                    f"{host!r} is not a lowercase DNS host name "
                    "(no scheme, port, path, wildcard or trailing dot)"
                )
            if host in SHARED_HOSTS:
                raise ValueError(f"{host!r} is shared infrastructure that carries non-AI traffic")
        if len(set(value)) != len(value):
            raise ValueError(f"duplicate host in {list(value)}")
        return value

    @field_validator("host_patterns")
    @classmethod
    def _pattern_syntax(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            try:
                check_pattern(pattern, SHARED_HOSTS)
            except PatternError as exc:
                raise ValueError(str(exc)) from None
        if len(set(value)) != len(value):
            raise ValueError(f"duplicate pattern in {list(value)}")
        return value

    @model_validator(mode="after")
    def _some_host(self) -> ServiceEntry:
        if not self.hosts and not self.host_patterns:
            raise ValueError("hosts: list at least one host (or a host_patterns family)")
        return self

    @field_validator("processing_region")
    @classmethod
    def _region_list(cls, value: str) -> str:
        if value == "unknown":
            return value
        parts = [p.strip() for p in value.split(",")]
        if not all(_REGION.match(p) for p in parts) or len(set(parts)) != len(parts):
            raise ValueError(
                f"{value!r}: expected 'unknown' or a comma-separated list of regions "
                "(ISO country codes, EU, global), e.g. 'US, EU'"
            )
        return ", ".join(parts)

    @field_validator("upload_hosts")
    @classmethod
    def _uploads_within_hosts(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        hosts = info.data.get("hosts", ())  # absent if hosts itself was invalid
        families = [compile_pattern(p) for p in info.data.get("host_patterns", ())]
        for upload in value:
            if (hosts or families) and not (
                any(covers(host, upload) for host in hosts)
                or any(f.match(level) for f in families for level in _levels(upload))
            ):
                raise ValueError(f"{upload!r} is neither one of hosts nor a subdomain of one")
        return value


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    vendor: str
    hosts: tuple[str, ...]
    extractor: str
    category: str = "chat"
    hq_country: str = ""
    processing_region: str = "unknown"
    eu_data_residency: str = "unknown"
    upload_hosts: tuple[str, ...] = ()
    source: str = ""
    host_patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Family:
    pattern: str
    regex: re.Pattern[str]
    service: Service


class Catalog:
    """Every service and the one host matcher all consumers use (lookup, intercept,
    PAC, tenant restrictions, discovery): exact hosts and host families, each also
    standing for its subdomains; the most specific name wins."""

    def __init__(self, services: Iterable[Service]) -> None:
        self.services: dict[str, Service] = {}
        self._by_host: dict[str, Service] = {}
        self._families: list[_Family] = []
        for service in services:
            if service.id in self.services:
                raise CatalogError(f"service {service.id!r} is listed twice")
            self.services[service.id] = service
            for host in service.hosts:
                key = host.lower().rstrip(".")
                owner = self._by_host.get(key)
                if owner is not None and owner.id != service.id:
                    raise CatalogError(
                        f"service {service.id!r}: host {key!r} already belongs to {owner.id!r}"
                    )
                self._by_host[key] = service
            for pattern in service.host_patterns:
                self._families.append(_Family(pattern, compile_pattern(pattern), service))
        self._check_families()

    def _check_families(self) -> None:
        """A family must not claim another service's host or family: which service a
        request is for would depend on the order of checks."""
        for family in self._families:
            for host, owner in self._by_host.items():
                if owner.id != family.service.id and family.regex.match(host):
                    raise CatalogError(
                        f"service {family.service.id!r}: pattern {family.pattern!r} "
                        f"matches host {host!r} of {owner.id!r}"
                    )
            for other in self._families:
                if other.service.id != family.service.id and other.regex.match(
                    sample_host(family.pattern)
                ):
                    raise CatalogError(
                        f"service {family.service.id!r}: pattern {family.pattern!r} "
                        f"overlaps {other.pattern!r} of {other.service.id!r}"
                    )

    def lookup(self, host: str | None) -> Service | None:
        """Exact host, a host family, or a subdomain of either: `eu.api.openai.com` is
        OpenAI, `europe-west4-aiplatform.googleapis.com` Vertex AI;
        `evilapi.openai.com.example`, `evilchatgpt.com` and `storage.googleapis.com`
        are no AI service.

        The name is tried level by level from the most specific (the host itself) up;
        on each level a listed host before a family. So a child host of another
        service (`api.perplexity.ai` under `perplexity.ai`) resolves to its own service.
        """
        if not host:
            return None
        for name in _levels(host.lower().rstrip(".")):
            if name in self._by_host:
                return self._by_host[name]
            for family in self._families:
                if family.regex.match(name):
                    return family.service
        return None

    def all_hosts(self) -> tuple[str, ...]:
        """Every catalog host, sorted and unique (each also stands for its subdomains)."""
        return tuple(sorted(self._by_host))

    def all_patterns(self) -> tuple[str, ...]:
        """Every host family pattern, sorted (each also stands for its subdomains)."""
        return tuple(sorted({f.pattern for f in self._families}))


def _levels(name: str) -> list[str]:
    """The name and each parent domain: a.b.example.com, b.example.com, example.com, com."""
    levels = []
    while name:
        levels.append(name)
        _, dot, name = name.partition(".")
        if not dot:
            break
    return levels


def parse_catalog(data: object, origin: str = "<catalog>") -> Catalog:
    """A catalog from parsed YAML (`{services: {id: entry}}`); CatalogError if invalid."""
    if not isinstance(data, Mapping) or set(data) != {"services"}:
        raise CatalogError(f"{origin}: expected exactly one top-level key 'services'")
    entries = data["services"]
    if not isinstance(entries, Mapping) or not entries:
        raise CatalogError(f"{origin}: 'services' must map service ids to entries")
    services = []
    for service_id, raw in entries.items():
        if not isinstance(service_id, str) or not _SERVICE_ID.match(service_id):
            raise CatalogError(
                f"{origin}: service id {service_id!r} must be lowercase words joined by '-'"
            )
        try:
            entry = ServiceEntry.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'entry'}: {_message(err)}"
                for err in exc.errors()
            )
            raise CatalogError(f"{origin}: service {service_id!r}: {problems}") from None
        services.append(
            Service(
                id=service_id,
                name=entry.name,
                vendor=entry.vendor,
                hosts=entry.hosts,
                extractor=entry.extractor,
                category=entry.category,
                hq_country=entry.hq_country,
                processing_region=entry.processing_region,
                eu_data_residency=entry.eu_data_residency,
                upload_hosts=entry.upload_hosts,
                source=entry.source,
                host_patterns=entry.host_patterns,
            )
        )
    try:
        return Catalog(services)
    except CatalogError as exc:
        raise CatalogError(f"{origin}: {exc}") from None


def load_catalog(path: str | os.PathLike[str] | None = None) -> Catalog:
    """The catalog from a YAML file (default: rules/ai_services.yaml)."""
    data, origin = read_rules_yaml(path, "ai_services.yaml", CatalogError)
    return parse_catalog(data, origin)


@cache
def default_catalog() -> Catalog:
    return load_catalog()


def _message(err: Mapping[str, object]) -> str:
    msg = str(err.get("msg", "invalid"))
    return msg.removeprefix("Value error, ")
