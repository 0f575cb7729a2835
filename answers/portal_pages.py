"""The portal's pages (proxy_addon/portal.py serves them): texts, templates, the
security headers every page carries, and the CSRF tokens of its forms.

Pages are `no-store` and `Referrer-Policy: same-origin` (coaching tokens are in the
URL); framing and scripts are forbidden by CSP. Every form carries a CSRF token (HMAC
over the user, the form and the time, with a per-process key).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import jinja2

from policy.catalog import CATEGORIES, Catalog
from policy.model import Policy
from policy.templating import template_environment
from rules import rules_yaml

CSRF_TTL_S = 2 * 3600
# Employees read times in the company's time zone (the store keeps UTC).
TIMEZONE = ZoneInfo("Europe/Berlin")


SECURITY_HEADERS = {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    # The token is in the URL: no Referer to other origins (same-origin keeps a real
    # Origin header on the form posts; "no-referrer" would make it "null").
    "referrer-policy": "same-origin",
}


@cache
def _texts() -> dict[str, Any]:
    data: dict[str, Any] = rules_yaml("portal_texts.yaml")
    return data


def texts(lang: str) -> dict[str, str]:
    """Every portal text in `lang` (German when a text has no such language)."""
    return {key: str(entry.get(lang) or entry["de"]) for key, entry in _texts().items()}


def _environment() -> jinja2.Environment:
    return template_environment("answers")


def render_page(template: str, lang: str, **values: Any) -> bytes:
    """`templates/<template>.html.j2` in `lang` (no error, and the not-found heading
    unless the values say otherwise)."""
    t = texts(lang)
    values.setdefault("error", None)
    if not values.get("heading"):
        values["heading"] = t["not_found_heading"]
    body = _environment().get_template(f"{template}.html.j2").render(lang=lang, t=t, **values)
    return body.encode("utf-8")


class Csrf:
    """Stateless synchronizer tokens: `<time>.<hmac(user, form, time)>`."""

    def __init__(
        self,
        key: bytes | None = None,
        ttl_s: float = CSRF_TTL_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.key = key or secrets.token_bytes(32)
        self.ttl_s = ttl_s
        self.clock = clock

    def _mac(self, user: str, form: str, issued: str) -> str:
        message = f"{user}\0{form}\0{issued}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def token(self, user: str, form: str) -> str:
        issued = str(int(self.clock()))
        return f"{issued}.{self._mac(user, form, issued)}"

    def check(self, token: str | None, user: str, form: str) -> bool:
        issued, _, mac = (token or "").partition(".")
        if not issued.isdigit() or not mac:
            return False
        age = self.clock() - int(issued)
        if age < -60 or age > self.ttl_s:
            return False
        return hmac.compare_digest(mac, self._mac(user, form, issued))


def group_name(policy: Policy, group: str | None, lang: str) -> str:
    if group is None or group not in policy.groups:
        return ""
    label = policy.groups[group].label
    return label.text(lang) if label else group


def local_time(value: str | None, lang: str) -> str:
    """ISO 8601 UTC as stored -> local time, `04.03.2025 10:15` (en: `2025-03-04 10:15`)."""
    if not value:
        return ""
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    local = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(TIMEZONE)
    return local.strftime("%d.%m.%Y %H:%M" if lang == "de" else "%Y-%m-%d %H:%M")


def catalog_groups(
    catalog: Catalog, names: Mapping[str, str], lang: str
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The catalog for a <select>: (category label, [(service id, name)]) in the
    catalog's category order, services by name; `names` gives each service's name."""
    t = texts(lang)
    groups = []
    for category in CATEGORIES:
        services = sorted(
            (
                (sid, names.get(sid) or s.name)
                for sid, s in catalog.services.items()
                if s.category == category
            ),
            key=lambda item: item[1].casefold(),
        )
        if services:
            groups.append((t.get(f"category_{category}", category), services))
    return groups


def approval_url(host: str, service: str | None) -> str | None:
    """The portal's approval page for `service` (the link block and coaching messages
    and the banner give first); None without a portal host."""
    if not host:
        return None
    query = f"?service={quote(service, safe='')}" if service else ""
    return f"http://{host}/approval{query}"
