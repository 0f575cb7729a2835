"""The banner's markup for the web pages of AI tools not approved (the Banner addon,
proxy_addon/banner.py, decides where it goes).

What the policy says about the tool, the approved alternatives and where to request
approval, in German or English. It is self-contained (one `<style>` and one `<script>`,
both with a nonce that `csp.py` adds to the page's Content-Security-Policy, never
weakening anything else), dismissible, and stays dismissed in that browser tab
(sessionStorage). Its script only touches `classList` and `sessionStorage`, so Trusted
Types pages accept it too.
"""

from __future__ import annotations

import html
import json
import re
from functools import cache
from typing import Any

from policy.catalog import Catalog
from policy.model import Policy
from rules import rules_yaml

ELEMENT_ID = "leitplanke-banner"


MARKER = b"data-leitplanke-banner"


_BODY = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)


_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)


_HTML = re.compile(rb"<html\b[^>]*>", re.IGNORECASE)


_DOCTYPE = re.compile(rb"<!doctype\b[^>]*>", re.IGNORECASE)


_DOCUMENT = re.compile(rb"<(?:!doctype|html|head|body)\b", re.IGNORECASE)


@cache
def _texts() -> dict[str, Any]:
    data: dict[str, Any] = rules_yaml("banner_texts.yaml")
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


def _anchor(href: str, shown: str) -> str:
    return f'<a href="{_e(href)}" target="_blank" rel="noopener noreferrer">{_e(shown)}</a>'


def _request_anchor(target: str) -> str:
    """The policy's approval address as a link when it is a URL or an e-mail address."""
    href = request_link(target)
    shown = target[7:] if target.lower().startswith("mailto:") else target
    return _anchor(href, shown) if href else _e(target)


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
    approval_link: str | None = None,
) -> tuple[str, str] | None:
    """(tool status, the banner's HTML) for this service, or None if approved.

    `approval_link`: the gateway's approval page for this service; it is the request
    link then, and the policy's own address (approval_request) a second one."""
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
    if approval_link:
        shown = approval_link.split("://", 1)[-1].split("?", 1)[0]
        parts.append(f"{_e(text('request', lang))} {_anchor(approval_link, shown)}")
        if policy.approval_request:
            target = policy.approval_request
            parts.append(f"({_e(text('request_info', lang))} {_request_anchor(target)})")
    else:
        target = policy.how_to_request
        parts.append(f"{_e(text('request', lang))} {_request_anchor(target)}")
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
