"""The Banner addon: a dismissible notice on the web pages of AI tools not approved.

On the HTML page (top-level document) of a tolerated or unapproved AI tool (a catalog
service no tool lists counts as unapproved), a small banner is inserted right after
`<body…>`: what the policy says about the tool, the approved alternatives and where
to request approval, in German or English by Accept-Language. It is self-contained
(one `<style>` and one `<script>`, both with a fresh nonce that `csp.py` adds to the
page's Content-Security-Policy, never weakening anything else), dismissible, and
stays dismissed in that browser tab (sessionStorage). Its script only touches
`classList` and `sessionStorage`, so Trusted Types pages accept it too.

Left alone: streamed, compressed-beyond-limit or non-200 responses, anything but
`text/html`, sub-documents (`Sec-Fetch-Dest` other than `document`), downloads,
UTF-16/32 pages, Leitplanke's own block pages, and bodies that are no HTML document.
"""

from __future__ import annotations

import html
import json
import logging
import re
import secrets
from functools import cache
from typing import Any

from mitmproxy import ctx, http

from answers import csp
from answers.messages import pick_language
from extract.body_decode import decode_body
from policy.catalog import Catalog, default_catalog
from policy.model import Policy
from proxy_addon.identify import SERVICE
from proxy_addon.policy_source import PolicySource
from rules import rules_file
from rules.strict_yaml import load_yaml

log = logging.getLogger(__name__)

OPTION = "leitplanke_banner"
# flow.metadata: the tool status the banner was shown for ("tolerated"/"unapproved").
SHOWN = "leitplanke.banner"
MAX_HTML_BYTES = 5 * 1024 * 1024  # decoded; larger pages go through unchanged
ELEMENT_ID = "leitplanke-banner"
MARKER = b"data-leitplanke-banner"

_BODY = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)
_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
_HTML = re.compile(rb"<html\b[^>]*>", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!doctype\b[^>]*>", re.IGNORECASE)
_DOCUMENT = re.compile(rb"<(?:!doctype|html|head|body)\b", re.IGNORECASE)
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")


@cache
def _texts() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(rules_file("banner_texts.yaml").read_text("utf-8"))
    return data


def text(key: str, lang: str) -> str:
    entry = _texts()[key]
    return str(entry.get(lang) or entry["de"])


def approved_alternatives(
    policy: Policy, catalog: Catalog, service_id: str | None = None
) -> list[str]:
    """Names of the approved, usable tools (`Tool.is_alternative()`, the same rule the
    guideline and block messages use), tools for the same kind of service first."""
    service = catalog.services.get(service_id) if service_id else None
    category = service.category if service else None

    def same_kind(tool_id: str) -> bool:
        services = policy.tools[tool_id].services
        return any(
            s in catalog.services and catalog.services[s].category == category for s in services
        )

    usable = [tool_id for tool_id, tool in policy.tools.items() if tool.is_alternative()]
    ordered = sorted(usable, key=lambda tool_id: not same_kind(tool_id))
    return [policy.tools[tool_id].display_name(tool_id) for tool_id in ordered]


def request_link(target: str) -> str | None:
    """A safe href for policy.how_to_request: http(s) URL or e-mail address, else None."""
    value = target.strip()
    if re.fullmatch(r"https?://[^\s<>\"']+", value, re.IGNORECASE):
        return value
    address = value[7:] if value.lower().startswith("mailto:") else value
    if re.fullmatch(r"[^@\s<>\"'/:]+@[^@\s<>\"'/:]+\.[^@\s<>\"'/:]+", address):
        return f"mailto:{address}"
    return None


def _e(value: str) -> str:
    return html.escape(value, quote=True)


_CSS = (
    "leitplanke-banner.lpk-bnr{all:initial!important;position:fixed!important;"
    "top:0!important;left:0!important;right:0!important;z-index:2147483647!important;"
    "display:flex!important;align-items:center!important;gap:12px!important;"
    "box-sizing:border-box!important;width:100%!important;margin:0!important;"
    "padding:8px 16px!important;background:#fff4ce!important;color:#3b2f00!important;"
    "border-bottom:2px solid #c19c00!important;box-shadow:0 2px 6px rgba(0,0,0,.2)!important;"
    'font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif!important;'
    "visibility:visible!important;opacity:1!important;pointer-events:auto!important}"
    "leitplanke-banner.lpk-bnr.lpk-bnr--hidden{display:none!important}"
    "leitplanke-banner.lpk-bnr *{all:revert!important;font:inherit!important;"
    "color:inherit!important}"
    "leitplanke-banner.lpk-bnr .lpk-bnr__text{flex:1 1 auto!important}"
    "leitplanke-banner.lpk-bnr .lpk-bnr__brand{font-weight:700!important}"
    "leitplanke-banner.lpk-bnr a{color:#0b4f9c!important;text-decoration:underline!important}"
    "leitplanke-banner.lpk-bnr .lpk-bnr__close{flex:0 0 auto!important;cursor:pointer!important;"
    "background:transparent!important;border:1px solid #c19c00!important;"
    "border-radius:4px!important;padding:2px 10px!important;font-size:18px!important;"
    "line-height:1.2!important}"
    "leitplanke-banner.lpk-bnr .lpk-bnr__close:hover,"
    "leitplanke-banner.lpk-bnr .lpk-bnr__close:focus-visible"
    "{background:rgba(0,0,0,.08)!important;outline:2px solid #3b2f00!important}"
)

# Only classList, sessionStorage and an event listener: no string ever reaches a DOM
# sink, so `require-trusted-types-for 'script'` has nothing to object to.
_SCRIPT = (
    "(function(){var b=document.getElementById(%(id)s);if(!b)return;var k=%(key)s;"
    'try{if(window.sessionStorage.getItem(k)==="1"){b.classList.add("lpk-bnr--hidden")}}'
    "catch(e){}"
    'var c=b.querySelector(".lpk-bnr__close");if(c){c.addEventListener("click",function(){'
    'b.classList.add("lpk-bnr--hidden");try{window.sessionStorage.setItem(k,"1")}'
    "catch(e){}})}})();"
)


def _js_string(value: str) -> str:
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


def banner_html(
    policy: Policy,
    catalog: Catalog,
    service_id: str,
    lang: str,
    nonce: str,
) -> tuple[str, str] | None:
    """(tool status, the banner's HTML) for this service, or None if approved."""
    listed = policy.tool_for_service(service_id)
    service = catalog.services.get(service_id)
    if listed is not None:
        tool_id, tool = listed
        status: str = tool.status
        name = tool.display_name(tool_id)
        note = tool.note.text(lang) if tool.note else ""
    else:
        status, name, note = "unapproved", service.name if service else service_id, ""
    if status == "approved":
        return None
    alternatives = [a for a in approved_alternatives(policy, catalog, service_id) if a != name]
    if alternatives:
        names = ", ".join(f"<strong>{_e(a)}</strong>" for a in alternatives)
        alternative = _e(text("alternatives", lang)).replace("{tools}", names)
    else:
        alternative = _e(text("no_alternative", lang))
    alternative = alternative.replace("{organization}", _e(policy.organization))
    parts = [
        '<strong class="lpk-bnr__brand">Leitplanke:</strong>',
        _e(text(status, lang).format(tool=name, organization=policy.organization)),
    ]
    if note:
        parts.append(_e(note))
    parts.append(alternative)
    target = policy.how_to_request
    href = request_link(target)
    shown = target[7:] if target.lower().startswith("mailto:") else target
    where = (
        f'<a href="{_e(href)}" target="_blank" rel="noopener noreferrer">{_e(shown)}</a>'
        if href
        else _e(target)
    )
    parts.append(f"{_e(text('request', lang))} {where}")
    script = _SCRIPT % {
        "id": _js_string(ELEMENT_ID),
        "key": _js_string(f"leitplanke.banner.dismissed.{service_id}"),
    }
    dismiss = _e(text("dismiss", lang))
    markup = (
        f'<style nonce="{nonce}">{_CSS}</style>'
        f'<leitplanke-banner id="{ELEMENT_ID}" class="lpk-bnr" role="status" '
        f'lang="{lang}" aria-label="{_e(text("label", lang))}" '
        f'data-leitplanke-banner="{_e(service_id)}">'
        f'<span class="lpk-bnr__text">{" ".join(parts)}</span>'
        f'<button type="button" class="lpk-bnr__close" aria-label="{dismiss}" '
        f'title="{dismiss}">&#215;</button></leitplanke-banner>'
        f'<script nonce="{nonce}">{script}</script>'
    )
    # ASCII only (character references): safe in any ASCII-compatible page charset.
    return status, markup.encode("ascii", "xmlcharrefreplace").decode("ascii")


def insertion_point(document: bytes) -> int | None:
    """Right after `<body…>`; without one after `</head>`, `<html…>` or the doctype;
    None when the bytes are no HTML document (a fragment, a template, JSON)."""
    if not _DOCUMENT.search(document):
        return None
    for pattern in (_BODY, _HEAD_END, _HTML, _DOCTYPE):
        found = pattern.search(document)
        if found:
            return found.end()
    return 0


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
        made = banner_html(policy, self.catalog, service_id, lang, nonce)
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
