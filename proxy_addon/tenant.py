"""The TenantRestrictions addon: vendor tenant headers from the policy.

At `requestheaders` (before MapRemote rewrites the destination) every request to a
host named in rules/tenant_headers.yaml gets the header of each tenant restriction
the active policy sets, replacing any header of that name the client sent: a client
must not be able to widen its own restriction. Logged-out ChatGPT use, which no
header restricts, is answered with a 403 while a workspace restriction is set.
"""

from __future__ import annotations

import logging

from mitmproxy import http

from answers.messages import pick_language
from answers.responders import block_response
from policy.catalog import Catalog, default_catalog
from policy.model import Policy
from policy.tenant import blocks_logged_out, tenant_headers
from policy.tenant_rules import tenant_message
from proxy_addon.identify import candidate_hosts
from proxy_addon.policy_source import PolicySource

log = logging.getLogger(__name__)

# flow.metadata: the tenant headers set on this request (names only), or the refusal.
HEADERS_SET = "leitplanke.tenant_headers"
REFUSED = "leitplanke.tenant_refused"


class TenantRestrictions:
    def __init__(self, source: PolicySource, catalog: Catalog | None = None) -> None:
        self.source = source
        self.catalog = catalog or default_catalog()

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        active = self.source.active
        if active is None or flow.response is not None:
            return
        policy = active.loaded.policy
        hosts = candidate_hosts(flow)
        path = flow.request.path
        # Every name the request claims (SNI, target, Host header): a mismatched Host
        # header must neither dodge the header nor the logged-out block.
        refused = next((h for h in hosts if blocks_logged_out(policy, h, path)), None)
        if refused is not None:
            self._refuse(flow, policy, refused)
            return
        headers: dict[str, tuple[str, str]] = {}
        for host in hosts:
            for name, value in tenant_headers(policy, host, path):
                headers.setdefault(name.lower(), (name, value))
        for name, value in headers.values():
            flow.request.headers[name] = value  # replaces every client-sent copy
        if headers:
            flow.metadata[HEADERS_SET] = sorted(name for name, _ in headers.values())

    def _refuse(self, flow: http.HTTPFlow, policy: Policy, host: str) -> None:
        service = self.catalog.lookup(host)
        service_name = service.name if service else host
        lang = pick_language(flow.request.headers.get("accept-language"), policy.language)
        message = tenant_message("logged_out", lang).format(
            service=service_name, organization=policy.organization, contact=policy.contact
        )
        status, headers, body = block_response(
            "generic",
            stream=False,
            model=None,
            message=message,
            code="leitplanke_tenant_logged_out",
            accept=flow.request.headers.get("accept"),
            lang=lang,
        )
        headers = headers | {"x-leitplanke-decision": "block"}
        flow.response = http.Response.make(status, body, headers)
        flow.metadata[REFUSED] = "logged_out"
        # No path, user or address: the host and the reason are enough to count these.
        log.info("leitplanke: refused logged-out use of %s (%s)", service_name, host)
