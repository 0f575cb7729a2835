"""The SelfTest addon: "Is my connection protected?" at the portal host.

`http://leitplanke.portal/` (and `/check`) is answered by the gateway itself — the
name exists nowhere else, so an employee who sees the page knows their browser sends
AI traffic through the gateway. The page then loads a tiny script from
`https://leitplanke.portal/check/probe.js`: the portal host is among the decrypted
hosts, so that request only succeeds when the browser trusts the gateway's CA; the
page says which (German, English by Accept-Language). It names the policy and its
version in force, the employee's group, and links the guideline the gateway renders
from the same policy (`/richtlinie`, `/guideline`). Nothing of this leaves the
gateway, so it works offline too.

For IT's own checks, `leitplanke_mark_responses` adds `x-leitplanke: <node>;
policy=<version>` to answers of decrypted AI traffic (off by default: it tells
every web page's script which gateway and policy version a client is behind).

The Portal addon (coaching, approval requests) serves the other portal paths; this
addon runs first and answers only its own.
"""

from __future__ import annotations

import secrets
import socket
from functools import cache
from typing import Any, cast

from mitmproxy import ctx, http

from answers.messages import pick_language
from answers.portal_pages import group_name
from policy.intercept import PORTAL_HOST
from policy.model import Lang
from policy.render import render
from policy.templating import template_environment
from proxy_addon.identify import SERVICE, identity_of
from proxy_addon.policy_source import PolicySource
from rules import rules_yaml

PAGES = ("/", "/check")
PROBE = "/check/probe.js"
GUIDELINE = ("/richtlinie", "/guideline")
HEADER = "x-leitplanke"


@cache
def _texts() -> dict[str, Any]:
    data: dict[str, Any] = rules_yaml("self_test_texts.yaml")
    return data


def texts(lang: str) -> dict[str, str]:
    return {key: str(entry.get(lang) or entry["de"]) for key, entry in _texts().items()}


class SelfTest:
    def __init__(self, source: PolicySource, node: str | None = None) -> None:
        self.source = source
        self.node = node or socket.gethostname()

    def load(self, loader: object) -> None:
        loader.add_option(  # type: ignore[attr-defined]
            "leitplanke_mark_responses",
            bool,
            False,
            "Add 'x-leitplanke: <node>; policy=<version>' to answers of decrypted AI "
            "traffic, for IT's own checks (curl -sI). Off: web pages cannot tell.",
        )

    def _host(self) -> str:
        return str(getattr(ctx.options, "leitplanke_portal_host", PORTAL_HOST) or "")

    def _ours(self, flow: http.HTTPFlow) -> bool:
        host = self._host()
        named = flow.request.host_header or flow.request.host
        return bool(host) and named.split(":")[0].lower().rstrip(".") == host

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        # A 407 from ProxyAuth stays (the browser retries with its credentials).
        if flow.response is not None or not self._ours(flow):
            return
        if flow.request.method not in ("GET", "HEAD"):
            return  # the Portal's forms
        path = flow.request.path.split("?", 1)[0]
        active = self.source.active
        if active is None:
            return
        if path == PROBE:
            flow.response = http.Response.make(
                200,
                b"window.leitplankeProbe && window.leitplankeProbe();\n",
                {
                    "content-type": "text/javascript; charset=utf-8",
                    "cache-control": "no-store",
                    "x-content-type-options": "nosniff",
                },
            )
        elif path in PAGES:
            flow.response = self._page(flow)
        elif path in GUIDELINE:
            lang = self._lang(flow)
            page = render(active.loaded.policy, "html", cast(Lang, lang), active.loaded.version_id)
            flow.response = http.Response.make(
                200, page, {"content-type": "text/html; charset=utf-8", "cache-control": "no-store"}
            )

    def _lang(self, flow: http.HTTPFlow) -> str:
        default = getattr(ctx.options, "leitplanke_language", "de")
        return pick_language(flow.request.headers.get("accept-language"), default)

    def _page(self, flow: http.HTTPFlow) -> http.Response:
        active = self.source.active
        assert active is not None
        policy, lang = active.loaded.policy, self._lang(flow)
        t = texts(lang)
        host = self._host()
        probe = f"https://{host}{PROBE}"
        group = group_name(policy, identity_of(flow).group(policy), lang)
        nonce = secrets.token_urlsafe(16)
        body = (
            template_environment("answers")
            .get_template("self_test.html.j2")
            .render(
                lang=lang,
                t=t,
                nonce=nonce,
                route=t["route_ok"].format(node=self.node),
                policy_line=t["policy"].format(
                    organization=policy.organization, version=active.loaded.version_id
                ),
                group_line=t["group"].format(group=group) if group else "",
                guideline_url=GUIDELINE[0] if lang == "de" else GUIDELINE[1],
                probe_url=probe,
                noscript=t["ca_noscript"].format(url=probe),
                contact=t["contact"].format(contact=policy.contact),
            )
        )
        headers = {
            "content-type": "text/html; charset=utf-8",
            "cache-control": "no-store",
            # The probe is the only script from elsewhere: the gateway's own https name.
            "content-security-policy": (
                f"default-src 'none'; script-src 'nonce-{nonce}' https://{host}; "
                f"style-src 'nonce-{nonce}'; frame-ancestors 'none'; base-uri 'none'"
            ),
            "x-frame-options": "DENY",
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer",
        }
        return http.Response.make(200, body.encode("utf-8"), headers)

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        self._mark(flow)  # answers from the AI service, before they stream through

    def response(self, flow: http.HTTPFlow) -> None:
        self._mark(flow)  # answers the gateway made itself (block, coaching)

    def _mark(self, flow: http.HTTPFlow) -> None:
        if not ctx.options.leitplanke_mark_responses or flow.response is None:
            return
        active = self.source.active
        if SERVICE not in flow.metadata or active is None:
            return  # only AI traffic the gateway decrypted and identified
        flow.response.headers[HEADER] = f"{self.node}; policy={active.loaded.version_id}"
