"""The Discovery addon: which AI tools are used, by how many people ("shadow AI").

Records one usage row per connection to an AI host, at CONNECT time, so hosts that
are tunnelled without decryption count too, and one per intercepted HTTP request
to an AI host (method, status, sizes). Hosts outside the catalog whose name looks
like an AI service (rules/ai_discovery.yaml or `leitplanke_discovery_rules`) are
recorded as "unknown AI?" so the DPO can add them to the catalog or the policy.
No URL, path or content is recorded.
"""

from __future__ import annotations

import logging

from mitmproxy import ctx, exceptions, http

from policy.catalog import Catalog, default_catalog
from policy.unknown_ai import DiscoveryRules, load_discovery_rules
from proxy_addon.identify import HOST, SERVICE, candidate_hosts, identity_of
from proxy_addon.intercept import Intercept
from proxy_addon.policy_source import PolicySource
from proxy_addon.recorder import Recorder
from store.records import UsageRecord

log = logging.getLogger(__name__)


class Discovery:
    def __init__(
        self,
        source: PolicySource,
        recorder: Recorder,
        intercept: Intercept | None = None,
        catalog: Catalog | None = None,
    ) -> None:
        self.source = source
        self.recorder = recorder
        self.intercept = intercept
        self.catalog = catalog or default_catalog()
        self.rules: DiscoveryRules | None = None

    def load(self, loader: object) -> None:
        add = loader.add_option  # type: ignore[attr-defined]
        add(
            "leitplanke_discovery", bool, True, "Record usage of AI services (shadow-AI discovery)."
        )
        add(
            "leitplanke_discovery_rules",
            str,
            "",
            "YAML file with the rules that flag unknown hosts as 'unknown AI?'; "
            "empty: rules/ai_discovery.yaml.",
        )

    def configure(self, updated: set[str]) -> None:
        if "leitplanke_discovery_rules" in updated or self.rules is None:
            try:
                self.rules = load_discovery_rules(ctx.options.leitplanke_discovery_rules or None)
            except (OSError, ValueError) as exc:
                raise exceptions.OptionsError(f"leitplanke_discovery_rules: {exc}") from exc

    # ---- hooks ------------------------------------------------------------
    def http_connect(self, flow: http.HTTPFlow) -> None:
        """Explicit proxy (PAC): every tunnel starts with CONNECT host:port."""
        host, port = flow.request.host, flow.request.port
        intercepted = self.intercept.decrypts(host, port) if self.intercept else True
        self._record(flow, "connection", [host], intercepted=intercepted)

    def response(self, flow: http.HTTPFlow) -> None:
        if flow.request.method != "CONNECT":
            self._record(flow, "request", candidate_hosts(flow), intercepted=True)

    def error(self, flow: http.HTTPFlow) -> None:
        if flow.request.method != "CONNECT" and flow.response is None:
            self._record(flow, "request", candidate_hosts(flow), intercepted=True)

    # ---- helpers ------------------------------------------------------------
    def classify(self, hosts: list[str], flow: http.HTTPFlow) -> tuple[str | None, str, str | None]:
        """(service id, host, heuristic rule) for an AI host; ("", "", None) otherwise."""
        if service_id := flow.metadata.get(SERVICE):
            return str(service_id), str(flow.metadata.get(HOST, hosts[0])), None
        for host in hosts:
            if service := self.catalog.lookup(host):
                return service.id, host, None
        for host in hosts:
            if self.rules is not None and (rule := self.rules.match(host)):
                return None, host, rule
        return None, "", None

    def _record(
        self, flow: http.HTTPFlow, kind: str, hosts: list[str], *, intercepted: bool
    ) -> None:
        if not ctx.options.leitplanke_discovery or not hosts or self.source.active is None:
            return
        service_id, host, rule = self.classify(hosts, flow)
        if not host:
            return
        loaded = self.source.active.loaded
        policy = loaded.policy
        identity = identity_of(flow)
        tool = policy.tool_for_service(service_id)
        request = kind == "request"
        response = flow.response
        row = UsageRecord(
            kind="request" if request else "connection",
            service=service_id,
            host=host.lower().rstrip("."),
            intercepted=intercepted,
            user_pseudonym=identity.label(policy),
            user_group=identity.group(policy),
            tool=tool[0] if tool else None,
            tool_status=tool[1].status if tool else ("unapproved" if service_id else None),
            unknown_ai=service_id is None,
            heuristic=rule,
            method=flow.request.method if request else None,
            status=response.status_code if request and response else None,
            bytes_up=_size(flow.request) if request else None,
            bytes_down=_size(response) if request and response else None,
            policy_version=loaded.version_id,
        )
        self.recorder.record_usage(row)


def _size(message: http.Message | None) -> int | None:
    """Body bytes as on the wire; None when streamed through (not held in memory)."""
    if message is None or message.raw_content is None:
        return None
    return len(message.raw_content)
