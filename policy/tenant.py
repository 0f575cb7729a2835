"""What the gateway does with a policy's vendor tenant restrictions.

A tool in the policy names its vendor tenants under `tenant:` (keys, headers and value
formats in rules/tenant_headers.yaml, read and validated by policy/tenant_rules.py). The
gateway asks `tenant_headers` which headers to set on a request, `blocks_logged_out`
whether to refuse it, and `tenant_hosts` which hosts it must decrypt (and route via the
PAC file) for that.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote

from policy.model import Policy
from policy.tenant_rules import TenantRule, tenant_rules


def merged_tenant(policy: Policy) -> dict[str, tuple[str, ...]]:
    """Every tool's tenant settings, merged per key in tool order, without repeats."""
    merged: dict[str, list[str]] = {}
    for tool in policy.tools.values():
        for key, values in tool.tenant.items():
            known = merged.setdefault(key, [])
            folded = {k.casefold() for k in known}
            known.extend(v for v in values if v.casefold() not in folded)
    return {key: tuple(values) for key, values in merged.items()}


def _active_rules(policy: Policy | None) -> list[tuple[TenantRule, tuple[str, ...]]]:
    if policy is None:
        return []
    rules = tenant_rules()
    return [(rules[key], values) for key, values in merged_tenant(policy).items()]


def tenant_headers(
    policy: Policy | None, host: str | None, path: str = "/"
) -> list[tuple[str, str]]:
    """(header, value) pairs to set on a request to `host` (every path of it).

    `path` is accepted for rules that may one day be path-specific; none is today.
    """
    del path
    return [
        (rule.header, rule.join.join(values))
        for rule, values in _active_rules(policy)
        if rule.applies_to(host)
    ]


def normal_path(path: str) -> str:
    """The path a server would route: no query, decoded, `//`, `.` and `..` resolved,
    lower case (so `//Backend-Anon/./x` and `/backend%2Danon/x` compare as
    `/backend-anon/x`)."""
    path = path.split("#", 1)[0].split("?", 1)[0]
    for _ in range(3):  # %252F → %2F → /
        decoded = unquote(path)
        if decoded == path:
            break
        path = decoded
    path = re.sub(r"/+", "/", "/" + path.replace("\\", "/"))
    return posixpath.normpath(path).lower()


def _under(path: str, prefix: str) -> bool:
    base = normal_path(prefix).rstrip("/")
    return path == base or path.startswith(base + "/")


def blocks_logged_out(policy: Policy | None, host: str | None, path: str) -> bool:
    """A request the vendor's header cannot restrict (logged-out ChatGPT under
    `/backend-anon/`) while the policy sets that vendor's restriction."""
    normal = normal_path(path)
    return any(
        rule.applies_to(host) and any(_under(normal, prefix) for prefix in rule.block_logged_out)
        for rule, _ in _active_rules(policy)
    )


def tenant_hosts(policy: Policy | None) -> tuple[str, ...]:
    """Every host name a header of this policy goes to (a `domains` entry also stands
    for its subdomains). The gateway decrypts these and lists them in the PAC file."""
    return tuple(sorted({name for rule, _ in _active_rules(policy) for name in rule.names}))


def tenant_exact_hosts(policy: Policy | None) -> tuple[str, ...]:
    """The names among `tenant_hosts` whose subdomains must not be decrypted for a
    header (Microsoft: not `device.login.microsoftonline.com`)."""
    active = _active_rules(policy)
    domains = {name for rule, _ in active for name in rule.domains}
    return tuple(sorted({h for rule, _ in active for h in rule.hosts} - domains))
