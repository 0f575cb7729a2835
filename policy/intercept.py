"""Which hosts must pass through the gateway, and as mitmproxy `allow_hosts` patterns.

One list feeds both the PAC file (what browsers send to the gateway) and
`allow_hosts` (what the gateway decrypts), so the two never disagree: every AI
host and host family (policy/host_patterns.py) from the catalog, plus the sign-in
hosts that need a tenant-restriction header when the policy configures one.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from policy.catalog import Catalog, default_catalog
from policy.host_patterns import regex_body
from policy.model import Policy
from policy.tenant import tenant_exact_hosts, tenant_hosts

# The host name the gateway answers itself with its portal pages (coaching,
# approval requests); the default of the `leitplanke_portal_host` option.
PORTAL_HOST = "leitplanke.portal"


@dataclass(frozen=True)
class Hosts:
    """`domains` stand for themselves and every subdomain; `exact` only for themselves
    (Microsoft's sign-in hosts: `device.login.microsoftonline.com` uses client
    certificates and must not be decrypted)."""

    domains: tuple[str, ...]
    exact: tuple[str, ...] = ()
    # Passed-through hosts that a listed parent domain would otherwise cover
    # (e.g. a tunnelled `sora.chatgpt.com` under a decrypted `chatgpt.com`).
    excluded: tuple[str, ...] = ()
    # Host families (with their subdomains), e.g. "*-aiplatform.googleapis.com".
    patterns: tuple[str, ...] = ()

    def all(self) -> tuple[str, ...]:
        """Names and family patterns: what the PAC file routes (policy/pac.py tells
        a pattern by its '*')."""
        return tuple(sorted({*self.domains, *self.exact, *self.patterns}))


def gateway_hosts(
    policy: Policy | None = None,
    catalog: Catalog | None = None,
    gateway_names: Iterable[str] = (),
) -> tuple[str, ...]:
    """Host names (each also covering its subdomains) the PAC file sends to the gateway.

    Routing a subdomain of an exact-only host to the gateway is harmless: the gateway
    tunnels what it does not decrypt, and discovery still sees it.
    """
    return decrypted_hosts(policy, catalog, gateway_names=gateway_names).all()


def decrypted_hosts(
    policy: Policy | None = None,
    catalog: Catalog | None = None,
    passthrough: Iterable[str] = (),
    gateway_names: Iterable[str] = (),
) -> Hosts:
    """The hosts the gateway decrypts: catalog AI hosts (minus `passthrough` service
    ids, e.g. certificate-pinned desktop apps), the policy's tenant sign-in hosts, and
    `gateway_names` the gateway answers itself (the coaching/approval portal)."""
    cat = catalog or default_catalog()
    skipped = {h for sid in passthrough for h in cat.services[sid].hosts}
    skipped_patterns = {p for sid in passthrough for p in cat.services[sid].host_patterns}
    exact = set(tenant_exact_hosts(policy)) | {n for n in gateway_names if n}
    domains = (set(cat.all_hosts()) - skipped) | (set(tenant_hosts(policy)) - exact)
    return Hosts(
        tuple(sorted(domains)),
        tuple(sorted(exact - domains)),
        tuple(sorted(skipped - domains - exact)),
        tuple(sorted(set(cat.all_patterns()) - skipped_patterns)),
    )


def allow_hosts_pattern(hosts: Hosts) -> str:
    """One regex for mitmproxy's `allow_hosts`, which it matches against "host:port"
    (CONNECT target, SNI, Host header): one pattern, not hundreds, because mitmproxy
    searches every pattern for every new connection."""
    alternatives = []
    if hosts.domains:
        alternatives.append(rf"(?:[^:]+\.)?(?:{_names(hosts.domains)})")
    if hosts.patterns:  # families, with their subdomains like domains
        families = "|".join(regex_body(p) for p in hosts.patterns)
        alternatives.append(rf"(?:[^:]+\.)?(?:{families})")
    if hosts.exact:
        alternatives.append(rf"(?:{_names(hosts.exact)})")
    if not alternatives:
        return r"(?!)"  # matches nothing: decrypt nothing
    if not hosts.excluded:
        return rf"^(?:{'|'.join(alternatives)})\.?:\d+$"
    # The most specific catalog host decides, as in Catalog.lookup: a tunnelled host
    # is cut out of its parent domain, but a decrypted host below it stays decrypted.
    skip = rf"(?!(?:[^:]+\.)?(?:{_names(hosts.excluded)})\.?:)"
    within = [d for d in hosts.domains if any(d.endswith("." + e) for e in hosts.excluded)]
    rescued = rf"(?:[^:]+\.)?(?:{_names(within)})|" if within else ""
    return rf"^(?:{rescued}{skip}(?:{'|'.join(alternatives)}))\.?:\d+$"


def _names(hosts: Collection[str]) -> str:
    return "|".join(re.escape(h) for h in sorted(set(hosts), key=lambda h: (-len(h), h)))
