"""The AI service catalog (rules/ai_services.yaml) and host lookup."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import yaml

from rules import rules_file


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    vendor: str
    hosts: tuple[str, ...]
    extractor: str


class Catalog:
    def __init__(self, services: list[Service]) -> None:
        self.services = {s.id: s for s in services}
        self._by_host = {host.lower(): s for s in services for host in s.hosts}

    def lookup(self, host: str | None) -> Service | None:
        """Exact host or a subdomain of a catalog host: `eu.api.openai.com` is OpenAI,
        `evilapi.openai.com.example` and `evilchatgpt.com` are not."""
        if not host:
            return None
        name = host.lower().rstrip(".")
        while name:
            if name in self._by_host:
                return self._by_host[name]
            _, dot, name = name.partition(".")
            if not dot:
                break
        return None


@cache
def default_catalog() -> Catalog:
    data = yaml.safe_load(rules_file("ai_services.yaml").read_text("utf-8"))
    return Catalog(
        [
            Service(
                id=service_id,
                name=entry["name"],
                vendor=entry["vendor"],
                hosts=tuple(entry["hosts"]),
                extractor=entry["extractor"],
            )
            for service_id, entry in data["services"].items()
        ]
    )
