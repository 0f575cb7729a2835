"""Content-Security-Policy, adjusted so that exactly our nonce-tagged banner renders.

Pure functions, no mitmproxy. The only change ever made to a policy is one fresh
`'nonce-…'` source for inline `<style>` and `<script>` elements, and only where the
page's policy would otherwise block them:

* The directive that governs an inline element is the first present of
  `<kind>-src-elem`, `<kind>-src`, `default-src` (kind = script or style). Both
  `<kind>-src-elem` and `<kind>-src` get the nonce when present (browsers without
  `-elem` support use `<kind>-src`); with neither, a `<kind>-src` is added as a copy
  of `default-src` plus the nonce, which means the same for everything else
  (`-attr`, workers) because a nonce never matches attributes or URLs.
* A directive that already allows inline elements (`'unsafe-inline'` without any
  nonce or hash, and for scripts without `'strict-dynamic'`) is left alone: adding a
  nonce there would switch `'unsafe-inline'` off (CSP2+) and break the page.
* `'none'` alone (or an empty source list) becomes just the nonce: `'none'` next to
  other sources is invalid.
* No directive, no `default-src`: inline is allowed already, nothing to do.

Every policy is handled on its own: several headers, comma-separated policies in one
header, `Content-Security-Policy-Report-Only` and `<meta http-equiv>` policies.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

KINDS = ("script", "style")
HEADERS = ("content-security-policy", "content-security-policy-report-only")

Directive = tuple[str, list[str]]

_HASH_OR_NONCE = re.compile(r"^'(nonce|sha256|sha384|sha512)-", re.IGNORECASE)


def parse_policy(text: str) -> list[Directive]:
    """One serialized policy as (lower-case name, sources) pairs, in order."""
    directives: list[Directive] = []
    for part in text.split(";"):
        tokens = part.split()
        if tokens:
            directives.append((tokens[0].lower(), tokens[1:]))
    return directives


def serialize_policy(directives: Iterable[Directive]) -> str:
    return "; ".join(" ".join([name, *sources]) for name, sources in directives)


def allows_inline(kind: str, sources: list[str]) -> bool:
    """Whether this source list lets inline elements of `kind` run without a nonce."""
    lowered = [s.lower() for s in sources]
    if "'unsafe-inline'" not in lowered:
        return False
    if any(_HASH_OR_NONCE.match(s) for s in lowered):
        return False  # CSP2+: a nonce or hash makes 'unsafe-inline' ignored
    return not (kind == "script" and "'strict-dynamic'" in lowered)


def with_nonce(sources: list[str], nonce: str) -> list[str]:
    source = f"'nonce-{nonce}'"
    if not sources or [s.lower() for s in sources] == ["'none'"]:
        return [source]
    return [*sources, source]


def add_nonce_to_policy(text: str, nonce: str, kinds: Iterable[str] = KINDS) -> str:
    """One policy (no commas) that also admits inline elements carrying `nonce`."""
    directives = parse_policy(text)
    first: dict[str, int] = {}
    for index, (name, _) in enumerate(directives):
        first.setdefault(name, index)  # browsers ignore a repeated directive
    changed = False
    for kind in kinds:
        own = [name for name in (f"{kind}-src-elem", f"{kind}-src") if name in first]
        for name in own:
            index = first[name]
            sources = directives[index][1]
            if not allows_inline(kind, sources):
                directives[index] = (name, with_nonce(sources, nonce))
                changed = True
        if not own and "default-src" in first:
            sources = directives[first["default-src"]][1]
            if not allows_inline(kind, sources):
                directives.append((f"{kind}-src", with_nonce(sources, nonce)))
                changed = True
    return serialize_policy(directives) if changed else text


def add_nonce(header_value: str, nonce: str, kinds: Iterable[str] = KINDS) -> str:
    """A header value (one or more comma-separated policies) with the nonce added."""
    kinds = tuple(kinds)
    policies = header_value.split(",")
    adjusted = [add_nonce_to_policy(p, nonce, kinds) for p in policies]
    if adjusted == policies:
        return header_value
    return ", ".join(p.strip() for p in adjusted)


def adjust_header_values(values: Iterable[str], nonce: str) -> list[str]:
    """Every value of one CSP header (enforced or report-only), each adjusted."""
    return [add_nonce(value, nonce) for value in values]


_META = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_HTTP_EQUIV = re.compile(
    rb"""\shttp-equiv\s*=\s*(?:"\s*content-security-policy\s*"|'\s*content-security-policy\s*'"""
    rb"""|content-security-policy(?=[\s/>]))""",
    re.IGNORECASE,
)
_CONTENT = re.compile(
    rb"""(\scontent\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>=<`]+))""", re.IGNORECASE
)


def adjust_meta_policies(document: bytes, nonce: str) -> bytes:
    """`<meta http-equiv="Content-Security-Policy" content=…>` tags with the nonce added.

    Works on bytes of any ASCII-compatible charset; a CSP is ASCII. (Browsers ignore
    report-only policies in `<meta>`, so only enforced ones are looked at.)
    """

    def fix(tag: re.Match[bytes]) -> bytes:
        text = tag.group(0)
        if not _HTTP_EQUIV.search(text):
            return text
        content = _CONTENT.search(text)
        if content is None:
            return text
        raw = next(g for g in content.groups()[1:] if g is not None)
        value = html.unescape(raw.decode("latin-1"))
        adjusted = add_nonce(value, nonce)
        if adjusted == value:
            return text
        quoted = html.escape(adjusted, quote=True).encode("latin-1", "xmlcharrefreplace")
        return (
            text[: content.start()]
            + content.group(1)
            + b'"'
            + quoted
            + b'"'
            + text[content.end() :]
        )

    return _META.sub(fix, document)
