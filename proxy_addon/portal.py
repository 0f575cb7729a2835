"""The Portal addon: the gateway's own pages at a magic host name (like mitmproxy's mitm.it).

Requests for `leitplanke_portal_host` (default `leitplanke.portal`), over http or —
once the host is among the decrypted ones — https, are answered by the gateway and
never forwarded:

    GET  /coach/<token>        what was found (entity types and counts), the approved
                               alternative, a justification form
    POST /coach/<token>        store the (masked) justification, grant the allowance
    GET  /approval?service=ID  form to ask for an AI tool to be approved
    POST /approval             store the (masked) request for the DPO
    GET  /requests             "Meine Anfragen": the person's requests, status, reply
                               (the approval pages: proxy_addon/portal_approvals.py)

Security: coaching tokens are single-use, unguessable, expire and are bound to the
user they were issued to (the keyed pseudonym of the proxy-auth user, or of the client
address without proxy login). Every form carries a CSRF token and cross-site posts
(Origin / Sec-Fetch-Site) are refused; the pages themselves, their headers and the
tokens: answers/portal_pages.py. Free text typed by employees is scanned by the checker
and stored with every finding replaced by `<TYPE>`; when the scan fails nothing is
stored.

When mitmproxy's ProxyAuth answered 407 the portal stays silent: the browser then
sends its proxy credentials, and the portal needs them to know who is asking.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from mitmproxy import ctx, exceptions, http

from answers.messages import classes_and_alternative, describe_found, pick_language
from answers.portal_pages import SECURITY_HEADERS, Csrf, approval_url, render_page, texts
from checker.findings import Finding
from pipeline.coaching import (
    MAX_JUSTIFICATION,
    MIN_JUSTIFICATION,
    Coaching,
    CoachingError,
    Ticket,
    mask_text,
)
from pipeline.evaluation import Active
from policy.catalog import Catalog, default_catalog
from policy.intercept import PORTAL_HOST
from proxy_addon.identify import identity_of
from proxy_addon.option_values import check_range
from proxy_addon.policy_source import PolicySource
from proxy_addon.portal_approvals import ApprovalDesk
from proxy_addon.recorder import Recorder
from store.records import CoachingRecord

log = logging.getLogger(__name__)

SERVED = "leitplanke.portal"
"""Flow metadata key set on the flows the portal answers."""

MAX_FORM_BYTES = 16 * 1024
MAX_SHORT = 200  # tool name, department
_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$")


class Portal:
    def __init__(
        self,
        source: PolicySource,
        recorder: Recorder,
        coaching: Coaching,
        catalog: Catalog | None = None,
        csrf: Csrf | None = None,
    ) -> None:
        self.source = source
        self.recorder = recorder
        self.coaching = coaching
        self.catalog = catalog or default_catalog()
        self.csrf = csrf or Csrf()
        self.approvals = ApprovalDesk(self)
        # mitmproxy registers sub-addons (hooks and options) with their parent.
        self.addons = [self.approvals]

    def load(self, loader: object) -> None:
        add = loader.add_option  # type: ignore[attr-defined]
        add(
            "leitplanke_portal_host",
            str,
            PORTAL_HOST,
            "Host name the gateway answers itself with its pages (coaching links, approval "
            "requests), over http and — when decrypted — https; empty: no portal.",
        )
        add(
            "leitplanke_coaching_minutes",
            int,
            15,
            "Policy action 'warn': after a justification, the same user may send prompts "
            "with the same data classes to the same service for this many minutes.",
        )

    def configure(self, updated: set[str]) -> None:
        if "leitplanke_portal_host" in updated:
            host = ctx.options.leitplanke_portal_host
            if host and not _HOST.match(host):
                raise exceptions.OptionsError(
                    f"leitplanke_portal_host: {host!r} is not a lower-case host name"
                )
        check_range(
            "leitplanke_coaching_minutes", 1, 24 * 60, "a justification holds for a day at most"
        )

    # ---- links used in the Guard's messages ---------------------------------
    @property
    def host(self) -> str:
        return str(ctx.options.leitplanke_portal_host)

    def coach_link(self, token: str) -> str:
        return f"http://{self.host}/coach/{token}"

    def approval_link(self, service: str | None) -> str | None:
        return approval_url(self.host, service)

    def is_portal(self, flow: http.HTTPFlow) -> bool:
        """The portal host by name: the Host header (in transparent, WireGuard and local
        mode `request.host` is the destination address), else the request's host."""
        host = self.host
        named = flow.request.host_header or flow.request.host
        return bool(host) and named.split(":")[0].lower().rstrip(".") == host

    # ---- hooks ------------------------------------------------------------
    def requestheaders(self, flow: http.HTTPFlow) -> None:
        # A 407 from ProxyAuth stays: the browser retries with its credentials.
        if flow.response is not None or not self.is_portal(flow):
            return
        flow.metadata[SERVED] = True
        method = flow.request.method
        if method == "POST":
            length = flow.request.headers.get("content-length", "")
            if not length.isdigit() or int(length) > MAX_FORM_BYTES:
                flow.response = self.page(flow, "message", 413, heading="413", lines=[])
            return  # answered at `request`, once the body is read
        if method not in ("GET", "HEAD"):
            flow.response = self.page(flow, "message", 405, heading="405", lines=[])
            return
        if flow.request.path.split("?", 1)[0] in self.approvals.GET:
            return  # reads the store: answered at `request`, off the event loop
        try:
            flow.response = self._get(flow)
        except Exception:
            log.exception("leitplanke portal: cannot answer")
            flow.response = self.page(flow, "message", 500, heading="500", lines=[])

    async def request(self, flow: http.HTTPFlow) -> None:
        if not flow.metadata.get(SERVED) or flow.response is not None:
            return
        try:
            if flow.request.method == "POST":
                flow.response = await self._post(flow)
            else:
                path = flow.request.path.split("?", 1)[0]
                flow.response = await self.approvals.get(flow, path)
        except Exception:  # answered by us, never forwarded to the magic host
            log.exception("leitplanke portal: cannot answer")
            flow.response = self.page(flow, "message", 500, heading="500", lines=[])

    # ---- identity ---------------------------------------------------------
    def identity(self, flow: http.HTTPFlow) -> str:
        """Who asks, as tokens are bound: always the keyed pseudonym."""
        return identity_of(flow).pseudonym

    def active(self) -> Active:
        active = self.source.active
        assert active is not None, "PolicySource is configured before requests arrive"
        return active

    def lang(self, flow: http.HTTPFlow) -> str:
        default = ctx.options.leitplanke_language if "leitplanke_language" in ctx.options else "de"
        return pick_language(flow.request.headers.get("accept-language"), default)

    # ---- pages ------------------------------------------------------------
    def page(self, flow: http.HTTPFlow, template: str, status: int, **values: Any) -> http.Response:
        body = render_page(template, self.lang(flow), **values)
        return http.Response.make(status, body, dict(SECURITY_HEADERS))

    def message(self, flow: http.HTTPFlow, status: int, heading: str, *lines: str) -> http.Response:
        return self.page(flow, "message", status, heading=heading, lines=list(lines))

    def _get(self, flow: http.HTTPFlow) -> http.Response:
        path = flow.request.path.split("?", 1)[0]
        t = texts(self.lang(flow))
        if path.startswith("/coach/"):
            token = path.removeprefix("/coach/")
            try:
                ticket = self.coaching.ticket(token, self.identity(flow))
            except CoachingError:
                return self.message(flow, 404, t["invalid_heading"], t["invalid"])
            return self._coach_form(flow, ticket)
        if path == "/approval":
            service = flow.request.query.get("service", "")
            return self.approvals.form(flow, service if service in self.catalog.services else "")
        return self.message(flow, 404, t["not_found_heading"], t["not_found"])

    def _coach_form(
        self, flow: http.HTTPFlow, ticket: Ticket, error: str | None = None, status: int = 200
    ) -> http.Response:
        policy = self.active().loaded.policy
        lang = self.lang(flow)
        t = texts(lang)
        minutes = ctx.options.leitplanke_coaching_minutes
        common = {"service": ticket.service_name, "organization": policy.organization}
        if ticket.data_classes:
            expanded = [kind for kind, n in ticket.entity_counts for _ in range(n)]
            wording = classes_and_alternative(
                policy, ticket.data_classes, ticket.alternatives, lang
            )
            explanation = [
                t["coach_found"].format(found=describe_found(expanded, lang)),
                t["coach_classes"].format(**common, classes=wording["classes"]),
                wording["alternative"],
            ]
        else:
            explanation = [t["coach_tool_only"].format(**common)]
        return self.page(
            flow,
            "coach",
            status,
            heading=t["coach_heading"].format(**common),
            error=error,
            explanation=explanation,
            explain=t["coach_explain"].format(min=MIN_JUSTIFICATION, minutes=minutes),
            token=ticket.token,
            csrf=self.csrf.token(self.identity(flow), f"coach:{ticket.token}"),
            min_length=MIN_JUSTIFICATION,
            max_length=MAX_JUSTIFICATION,
        )

    # ---- form posts --------------------------------------------------------
    def _cross_site(self, flow: http.HTTPFlow) -> bool:
        headers = flow.request.headers
        site = headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            return True
        origin = headers.get("origin")
        if origin is None or (site is not None and origin == "null"):
            return False  # the CSRF token decides
        scheme, _, rest = origin.lower().partition("://")
        return scheme not in ("http", "https") or rest.split(":", 1)[0] != self.host

    def _form(self, flow: http.HTTPFlow) -> dict[str, str] | None:
        content_type = flow.request.headers.get("content-type", "").split(";", 1)[0].strip()
        raw = flow.request.content or b""
        if content_type != "application/x-www-form-urlencoded" or len(raw) > MAX_FORM_BYTES:
            return None
        try:
            parsed = parse_qs(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
        except (UnicodeDecodeError, ValueError):
            return None
        return {key: values[0] for key, values in parsed.items()}

    async def _post(self, flow: http.HTTPFlow) -> http.Response:
        t = texts(self.lang(flow))
        path = flow.request.path.split("?", 1)[0]
        form = self._form(flow)
        if form is None or self._cross_site(flow):
            return self.message(flow, 400, t["invalid_heading"], t["csrf"])
        if path.startswith("/coach/"):
            return await self._post_coach(flow, path.removeprefix("/coach/"), form)
        if path in self.approvals.POST:
            return await self.approvals.post(flow, path, form)
        return self.message(flow, 404, t["not_found_heading"], t["not_found"])

    async def _post_coach(
        self, flow: http.HTTPFlow, token: str, form: dict[str, str]
    ) -> http.Response:
        t = texts(self.lang(flow))
        user = self.identity(flow)
        try:
            ticket = self.coaching.ticket(token, user)
        except CoachingError:
            return self.message(flow, 404, t["invalid_heading"], t["invalid"])
        if not self.csrf.check(form.get("csrf"), user, f"coach:{token}"):
            return self._coach_form(flow, ticket, t["csrf"], 403)
        if form.get("choice") == "cancel":
            self.coaching.discard(token, user)
            return self.message(flow, 200, t["cancelled_heading"], t["cancelled"])
        justification = form.get("justification", "").strip()
        if len(justification) < MIN_JUSTIFICATION:
            return self._coach_form(flow, ticket, t["too_short"].format(min=MIN_JUSTIFICATION), 400)
        if len(justification) > MAX_JUSTIFICATION:
            return self._coach_form(flow, ticket, t["too_long"].format(max=MAX_JUSTIFICATION), 400)
        masked = await self.masked([justification])
        if masked is None:
            return self._coach_form(flow, ticket, t["check_failed"], 503)
        minutes = ctx.options.leitplanke_coaching_minutes
        try:
            allowance = self.coaching.redeem(token, user, justification, minutes)
        except CoachingError:  # used meanwhile by a second post
            return self.message(flow, 404, t["invalid_heading"], t["invalid"])
        active = self.active()
        policy = active.loaded.policy
        row = CoachingRecord(
            service=ticket.service,
            tool=ticket.tool,
            user_pseudonym=identity_of(flow).label(policy),
            user_group=ticket.group,
            data_classes=ticket.data_classes,
            entity_types=dict(ticket.entity_counts),
            justification=masked[0],
            allowed_until=_iso(allowance.expires),
            policy_version=ticket.policy_version,
            ref=ticket.ref or None,
        )
        await self.write(self.recorder.store.record_coaching if self.recorder.store else None, row)
        log.info(
            "leitplanke: coaching justified %s [%s] user=%s for %d min",
            ticket.service,
            ", ".join(ticket.data_classes) or "tool",
            row.user_pseudonym,
            minutes,
        )
        return self.message(
            flow,
            200,
            t["coach_done_heading"],
            t["coach_done"].format(minutes=minutes, service=ticket.service_name),
            t["masked_note"],
        )

    async def masked(self, parts: list[str]) -> list[str] | None:
        """`parts` with every finding masked as `<TYPE>`; None when the checker fails."""
        timeout_ms = (
            ctx.options.leitplanke_scan_timeout_ms
            if "leitplanke_scan_timeout_ms" in ctx.options
            else 20000
        )
        try:
            findings: list[Finding] = await self.active().pool.scan(
                parts, timeout=timeout_ms / 1000
            )
        except Exception as exc:
            log.error("leitplanke portal: checker failed: %r", exc)
            return None
        return [
            mask_text(text, [f for f in findings if f.part == index])
            for index, text in enumerate(parts)
        ]

    async def write[T](self, method: Callable[..., T] | None, *args: object) -> T:
        """Run a store call in the Recorder's writer thread (SQLite wants one writer,
        and the store's connection is that thread's); wait for it, so the confirmation
        page means "stored"."""
        if method is None:
            raise RuntimeError("findings store not configured")
        return await self.recorder.write(method, *args)


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")
