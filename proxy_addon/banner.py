"""The Banner addon: a dismissible notice on the web pages of AI tools not approved.

On the HTML page (top-level document) of a tolerated or unapproved AI tool (a catalog
service no tool lists counts as unapproved), a small banner is inserted right after
`<body…>` (its markup: answers/banner.py), in German or English by Accept-Language,
with a fresh nonce added to the page's Content-Security-Policy (answers/csp.py).

Left alone: streamed, compressed-beyond-limit or non-200 responses, anything but
`text/html`, sub-documents (`Sec-Fetch-Dest` other than `document`), downloads,
UTF-16/32 pages, Leitplanke's own block pages, and bodies that are no HTML document.
"""

from __future__ import annotations

import logging
import re
import secrets

from mitmproxy import ctx, http

from answers import csp
from answers.banner import MARKER, banner_html, insertion_point
from answers.messages import pick_language
from answers.portal_pages import approval_url
from extract.body_decode import decode_body
from policy.catalog import Catalog, default_catalog
from proxy_addon.identify import SERVICE
from proxy_addon.policy_source import PolicySource

log = logging.getLogger(__name__)


OPTION = "leitplanke_banner"


# flow.metadata: the tool status the banner was shown for ("tolerated"/"unapproved").
SHOWN = "leitplanke.banner"


MAX_HTML_BYTES = 5 * 1024 * 1024  # decoded; larger pages go through unchanged


_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _mime(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _wide_charset(content_type: str | None, body: bytes) -> bool:
    charset = re.search(r"charset\s*=\s*\"?([\w.:-]+)", content_type or "", re.IGNORECASE)
    if charset and charset.group(1).lower().replace("_", "-").startswith(("utf-16", "utf-32")):
        return True
    return body.startswith(_WIDE_BOMS)


class Banner:
    def __init__(self, source: PolicySource, catalog: Catalog | None = None) -> None:
        self.source = source
        self.catalog = catalog or default_catalog()

    def load(self, loader: object) -> None:
        loader.add_option(  # type: ignore[attr-defined]
            OPTION,
            bool,
            True,
            "Show a dismissible banner on the web pages of tolerated and unapproved AI "
            "tools, naming the approved alternatives.",
        )

    def response(self, flow: http.HTTPFlow) -> None:
        if not self._wanted(flow) or flow.response is None or flow.response.stream:
            return
        active = self.source.active
        raw = flow.response.raw_content
        if active is None or raw is None or len(raw) > MAX_HTML_BYTES:
            return
        try:
            body = decode_body(raw, flow.response.headers.get("content-encoding"), MAX_HTML_BYTES)
        except ValueError:  # unknown encoding, broken, or too large once decoded
            return
        if MARKER in body or _wide_charset(flow.response.headers.get("content-type"), body):
            return
        at = insertion_point(body)
        if at is None:
            return
        policy = active.loaded.policy
        service_id = str(flow.metadata[SERVICE])
        lang = pick_language(flow.request.headers.get("accept-language"), policy.language)
        nonce = secrets.token_urlsafe(18)
        made = banner_html(
            policy, self.catalog, service_id, lang, nonce, _approval_link(service_id)
        )
        if made is None:
            return
        status, markup = made
        head = csp.adjust_meta_policies(body[:at], nonce)
        headers = flow.response.headers
        for name in csp.HEADERS:
            values = headers.get_all(name)
            if values:
                headers.set_all(name, csp.adjust_header_values(values, nonce))
        # The representation changed: its validators no longer describe it, and a 304
        # revalidation could pair the cached body (old nonce) with fresh CSP headers.
        for name in ("etag", "last-modified"):
            headers.pop(name, None)
        flow.response.content = head + markup.encode("ascii") + body[at:]
        flow.metadata[SHOWN] = status
        log.debug("leitplanke: banner (%s) on %s", status, service_id)

    def _wanted(self, flow: http.HTTPFlow) -> bool:
        """Everything about this flow but its body says: a banner may go here."""
        response = flow.response
        if response is None or not ctx.options.leitplanke_banner:
            return False
        service_id = flow.metadata.get(SERVICE)
        active = self.source.active
        if service_id is None or active is None:
            return False
        if response.status_code != 200 or "x-leitplanke-decision" in response.headers:
            return False
        if _mime(response.headers.get("content-type")) != "text/html":
            return False
        if "attachment" in response.headers.get("content-disposition", "").lower():
            return False
        dest = flow.request.headers.get("sec-fetch-dest")
        if dest is not None and dest.strip().lower() != "document":
            return False
        listed = active.loaded.policy.tool_for_service(str(service_id))
        return listed is None or listed[1].status != "approved"


def _approval_link(service_id: str) -> str | None:
    """The portal's approval page for the service (the Portal declares the host
    option; without a portal there is none)."""
    host = ctx.options.leitplanke_portal_host if "leitplanke_portal_host" in ctx.options else ""
    return approval_url(str(host), service_id)
