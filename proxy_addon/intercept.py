"""The Intercept addon: decrypt only AI hosts, tunnel everything else untouched.

Derives mitmproxy's `allow_hosts` from the catalog and the policy (tenant sign-in
hosts), so a colleague's online banking that happens to go through the gateway is
never decrypted. IT can still name catalog services to tunnel (certificate-pinned
desktop apps); those are recorded by discovery but not checked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from mitmproxy import connection, ctx, exceptions

from policy.catalog import Catalog, default_catalog
from policy.intercept import allow_hosts_pattern, decrypted_hosts
from proxy_addon import option_values
from proxy_addon.option_values import check_choice
from proxy_addon.policy_source import PolicySource

log = logging.getLogger(__name__)

INTERCEPT_MODES = ("ai", "all")


def portal_host() -> str:
    """The gateway's own portal host (declared by the Portal addon; absent in tests
    that load Intercept alone)."""
    return str(getattr(ctx.options, "leitplanke_portal_host", "") or "")


class Intercept:
    def __init__(self, source: PolicySource | None = None, catalog: Catalog | None = None) -> None:
        self.source = source
        self.catalog = catalog or default_catalog()
        self._pattern: str | None = None  # what we put into allow_hosts
        self._compiled: re.Pattern[str] | None = None
        self._version: str | None = None  # policy version the pattern was derived from
        self._user_owned = False  # IT set allow_hosts/ignore_hosts themselves

    def load(self, loader: object) -> None:
        add = loader.add_option  # type: ignore[attr-defined]
        add(
            "leitplanke_intercept",
            str,
            "ai",
            "Which HTTPS connections to decrypt: 'ai' (catalog AI hosts and the sign-in "
            "hosts of the policy's tenant restrictions; everything else is tunnelled "
            "untouched) or 'all' (mitmproxy's default; not recommended).",
            choices=list(INTERCEPT_MODES),
        )
        add(
            "leitplanke_passthrough",
            Sequence[str],
            [],
            "Catalog service ids to tunnel without decryption (e.g. certificate-pinned "
            "desktop apps); their connections are still recorded as usage.",
        )

    def configure(self, updated: set[str]) -> None:
        check_choice("leitplanke_intercept", INTERCEPT_MODES)
        if "leitplanke_passthrough" in updated:
            unknown = [
                s for s in ctx.options.leitplanke_passthrough if s not in self.catalog.services
            ]
            if unknown:
                raise exceptions.OptionsError(
                    f"leitplanke_passthrough: unknown service id(s) {', '.join(unknown)}; "
                    "use ids from rules/ai_services.yaml"
                )
        if not option_values.settled():
            return
        if updated & {"allow_hosts", "ignore_hosts"}:
            own = list(ctx.options.allow_hosts) == ([self._pattern] if self._pattern else [])
            self._user_owned = bool(ctx.options.ignore_hosts) or not own
            if self._user_owned:
                log.info("leitplanke: allow_hosts/ignore_hosts set explicitly; using them as given")
        if updated & {"leitplanke_intercept", "leitplanke_passthrough", "leitplanke_portal_host"}:
            self._version = None
        self.refresh()

    def client_connected(self, client: connection.Client) -> None:
        # A reloaded policy may add or drop tenant sign-in hosts.
        self.refresh()

    def refresh(self) -> None:
        """Derive allow_hosts again if the policy or our options changed."""
        if self._user_owned:
            return
        if ctx.options.leitplanke_intercept == "all":
            if self._pattern is not None:
                self._pattern, self._compiled, self._version = None, None, None
                ctx.options.update(allow_hosts=[])
            return
        active = self.source.active if self.source else None
        version = active.loaded.version_id if active else ""
        if version == self._version and self._pattern is not None:
            return
        hosts = decrypted_hosts(
            active.loaded.policy if active else None,
            self.catalog,
            ctx.options.leitplanke_passthrough,
            gateway_names=[portal_host()],
        )
        pattern = allow_hosts_pattern(hosts)
        self._version = version
        if pattern != self._pattern:
            self._pattern, self._compiled = pattern, re.compile(pattern, re.IGNORECASE)
            ctx.options.update(allow_hosts=[pattern])
            log.info("leitplanke: decrypting %d AI and sign-in host names only", len(hosts.all()))

    def decrypts(self, host: str, port: int = 443) -> bool:
        """Whether a connection to host:port will be decrypted (mitmproxy's rule)."""
        if self._user_owned:
            allow, ignore = ctx.options.allow_hosts, ctx.options.ignore_hosts
            target = f"{host}:{port}"
            if allow and not any(re.search(r, target, re.IGNORECASE) for r in allow):
                return False
            return not any(re.search(r, target, re.IGNORECASE) for r in ignore)
        if self._compiled is None:
            return True
        return self._compiled.search(f"{host}:{port}") is not None
