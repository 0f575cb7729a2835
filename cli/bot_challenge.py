"""Does an answer look like a bot-protection challenge instead of the AI service?

Markers are data (rules/bot_challenges.yaml): a vendor's documented header (e.g.
Cloudflare's `cf-mitigated: challenge`) marks a challenge by itself; page strings and
cookie names count only with a refusing status, so a normal page that happens to load
a vendor's script is not flagged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from rules import rules_yaml

REFUSING = frozenset({202, 403, 405, 429, 503})


@cache
def _markers() -> dict[str, Any]:
    data: dict[str, Any] = rules_yaml("bot_challenges.yaml")
    return data


@dataclass(frozen=True)
class Challenge:
    vendor: str
    evidence: str  # which marker, e.g. "cf-mitigated: challenge"


def detect(
    status: int,
    headers: Sequence[tuple[str, str]],
    body: bytes,
) -> Challenge | None:
    """The first vendor whose markers the answer carries, or None."""
    names = [(k.lower(), v.strip()) for k, v in headers]
    cookies = [v.split("=", 1)[0].strip() for k, v in names if k == "set-cookie"]
    text = body[: 256 * 1024].decode("utf-8", "replace")
    for marker in _markers().values():
        vendor = str(marker["vendor"])
        found = _header_marker(marker.get("headers") or {}, names)
        if found:
            return Challenge(vendor, found)
        if status not in REFUSING:
            continue
        for needle in marker.get("body") or []:
            if needle in text:
                return Challenge(vendor, f"{status} with {needle!r} in the page")
        for prefix in marker.get("cookies") or []:
            if any(cookie.startswith(prefix) for cookie in cookies):
                return Challenge(vendor, f"{status} with cookie {prefix}")
    return None


def _header_marker(wanted: Mapping[str, list[str]], headers: list[tuple[str, str]]) -> str:
    for name, values in wanted.items():
        for key, value in headers:
            if key == name and (not values or value.lower() in values):
                return f"{key}: {value}"
    return ""
