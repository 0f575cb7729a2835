"""The PAC file (proxy auto-config) that sends only AI hosts to the gateway.

`pac_file(gateway_hosts(policy), "gateway.firma.local:8080")` is a complete PAC
script: `FindProxyForURL(url, host)` answers `PROXY gateway.firma.local:8080`
for every listed host and its subdomains and `DIRECT` for everything else, so
the rest of the company's traffic never touches the gateway.

Design choices, all deliberate:

* One JavaScript object keyed by host name; the function looks up the host and
  then each parent domain (`a.b.chatgpt.com`, `b.chatgpt.com`, `chatgpt.com`,
  `com`). That is a handful of property lookups per request however many hosts
  there are, instead of hundreds of `dnsDomainIs` calls. `evilchatgpt.com` is
  not a parent-domain walk of `chatgpt.com`, so it stays DIRECT.
* Host families (`*-aiplatform.googleapis.com`, policy/host_patterns.py) are
  regular expressions tested on each level of the same walk, exactly as
  Catalog.lookup does; `storage.googleapis.com` stays DIRECT. (shExpMatch would
  let `*` cross dots, so the PAC file would route more than the gateway decrypts.)
* Case-insensitive and tolerant of a trailing dot (`ChatGPT.com.`).
* Plain host names (`intranet`) go DIRECT, IP literals where everything else goes
  (DIRECT or the company proxy), without a lookup.
* No DNS: the script never calls `dnsResolve`, `isInNet`, `isResolvable` or
  `myIpAddress`, which block the browser while they resolve. It calls no PAC
  helper function at all, only plain ECMAScript 3, so the Windows WinHTTP
  engine, Chrome/Edge and Firefox all run it.
* Fail closed by default: an AI host gets `PROXY host:port` only. When the
  gateway is down, those requests fail instead of silently bypassing the
  policy. `fallback_direct=True` appends `; DIRECT` (the browser then goes
  direct when the gateway does not answer): availability over governance.
* Everything else goes `DIRECT`, or — in a company whose clients reach the
  internet through a proxy already (Squid, Sophos, Zscaler's connector) — to
  that proxy: `other="PROXY squid.firma.local:3128"` (`leitplanke pac --fallback`).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable
from datetime import date
from importlib import metadata

from policy.host_patterns import PatternError, check_pattern, is_pattern, regex_body

PAC_MEDIA_TYPE = "application/x-ns-proxy-autoconfig"
"""The Content-Type browsers and WinHTTP expect for a PAC file."""

PAC_PATHS = ("/proxy.pac", "/wpad.dat")
"""Where the gateway serves the PAC file: the usual GPO name and the WPAD name."""

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)\Z")
_IPV4ISH = re.compile(r"[0-9.]+\Z")  # what the script treats as an IP literal


class PacError(ValueError):
    """A proxy address or host name that cannot go into a PAC file."""


def parse_proxy(proxy: str) -> tuple[str, int]:
    """`HOST:PORT` → (host, port); host is a DNS name, an IPv4 or a [bracketed] IPv6 address.

    Raises PacError with a message fit for the command line.
    """
    text = proxy.strip()
    hint = "expected HOST:PORT, e.g. gateway.firma.local:8080 or 10.0.0.5:8080"
    if "://" in text:
        raise PacError(f"{proxy!r}: no scheme, {hint}")
    if text.startswith("["):
        inner, bracket, rest = text[1:].partition("]")
        if not bracket or not rest.startswith(":"):
            raise PacError(f"{proxy!r}: {hint} ([IPv6]:PORT for IPv6)")
        try:
            ipaddress.IPv6Address(inner)
        except ValueError:
            raise PacError(f"{proxy!r}: {inner!r} is not an IPv6 address") from None
        host, port_text = f"[{inner.lower()}]", rest[1:]
    else:
        host, colon, port_text = text.rpartition(":")
        if not colon or not host:
            raise PacError(f"{proxy!r}: {hint}")
        if ":" in host:
            raise PacError(f"{proxy!r}: write an IPv6 address in brackets, e.g. [2001:db8::1]:8080")
        try:
            host = normalize_host(host)
        except PacError as exc:
            raise PacError(f"{proxy!r}: {exc}") from None
    if not port_text.isascii() or not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise PacError(f"{proxy!r}: the port must be a number from 1 to 65535")
    return host, int(port_text)


_ROUTE_KINDS = ("PROXY", "HTTPS", "SOCKS", "SOCKS4", "SOCKS5")


def parse_route(route: str) -> str:
    """A PAC answer for the traffic that does not go to the gateway: `DIRECT`, or one
    or more of `PROXY|HTTPS|SOCKS|SOCKS4|SOCKS5 HOST:PORT` (and `DIRECT`) separated by
    `;`. Returns it normalized ("PROXY squid:3128; DIRECT"); raises PacError."""
    hint = "e.g. 'PROXY squid.firma.local:3128' or 'PROXY squid.firma.local:3128; DIRECT'"
    parts = [part.strip() for part in route.split(";")]
    if not route.strip() or not all(parts):
        raise PacError(f"{route!r}: empty route; {hint}")
    out = []
    for part in parts:
        kind, _, address = part.partition(" ")
        kind = kind.upper()
        if kind == "DIRECT" and not address.strip():
            out.append("DIRECT")
            continue
        if kind not in _ROUTE_KINDS or not address.strip():
            raise PacError(f"{part!r}: not a PAC route; {hint}")
        host, port = parse_proxy(address.strip())
        out.append(f"{kind} {host}:{port}")
    return "; ".join(out)


def normalize_host(host: str) -> str:
    """A host name as the PAC script compares it: lower case, no trailing dot, ASCII
    (international names in their xn-- form). Raises PacError for anything that is
    not a DNS name or an IPv4 address (wildcards, ports, URLs, spaces)."""
    name = host.strip().rstrip(".").lower()
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise PacError(f"{host!r} is not a valid host name") from None
    if not name or len(name) > 253 or not all(_LABEL.match(label) for label in name.split(".")):
        raise PacError(f"{host!r} is not a valid host name")
    return name


def _routable(host: str) -> str:
    name = normalize_host(host)
    if "." not in name or _IPV4ISH.match(name):
        # The script sends plain names and IP literals DIRECT before any lookup.
        raise PacError(f"{host!r}: the PAC file routes DNS names with a dot, not {name!r}")
    return name


def _family(pattern: str) -> str:
    try:
        return regex_body(check_pattern(pattern.strip().lower()))
    except PatternError as exc:
        raise PacError(str(exc)) from None


def routed_hosts(hosts: Iterable[str]) -> tuple[list[str], list[str]]:
    """The exact host names and the host-family regexes a PAC file routes to the
    gateway, each sorted and distinct (raises PacError for an invalid name)."""
    entries = list(hosts)
    names = sorted({_routable(h) for h in entries if not is_pattern(h)})
    families = sorted({_family(h) for h in entries if is_pattern(h)})
    return names, families


def pac_file(
    hosts: Iterable[str],
    proxy: str,
    *,
    fallback_direct: bool = False,
    generated: date | None = None,
    other: str = "DIRECT",
) -> str:
    """The PAC script: `hosts` (and their subdomains) → `PROXY proxy`, the rest to
    `other` (DIRECT, or the company's existing proxy: see parse_route).

    An entry with a `*` is a host family pattern (policy/host_patterns.py).
    `proxy` is HOST:PORT (see parse_proxy). `fallback_direct` appends `other` to the
    proxy answer (fail open: DIRECT, or the company proxy). `generated` is the date
    in the header comment (default: today). Raises PacError for an invalid proxy,
    route or host name.
    """
    host, port = parse_proxy(proxy)
    rest = parse_route(other)
    names, families = routed_hosts(hosts)
    answer = f"PROXY {host}:{port}" + (f"; {rest}" if fallback_direct else "")
    day = (generated or date.today()).isoformat()
    table = ",\n".join(f"    {json.dumps(name)}: 1" for name in names)
    patterns = ",\n".join(f"    new RegExp({json.dumps('^(?:' + f + ')$')})" for f in families)
    fallback = (
        f"If the gateway does not answer, the browser uses {rest} (--fallback-direct)."
        if fallback_direct
        else "No fallback: if the gateway is down, AI hosts fail (fail closed)."
    )
    return f"""\
// Proxy auto-config (PAC) generated by Leitplanke {_version()} on {day}.
// {len(names)} host names and {len(families)} host families (each with its subdomains)
// go to the gateway {host}:{port};
// everything else: {rest}.
// {fallback}
// Regenerate it with `leitplanke pac` rather than editing it by hand.

var LEITPLANKE_PROXY = {json.dumps(answer)};
var LEITPLANKE_OTHER = {json.dumps(rest)};

var LEITPLANKE_HOSTS = {{
{table}
}};

// Host families: '*' is one or more characters within one DNS label.
var LEITPLANKE_FAMILIES = [
{patterns}
];

function FindProxyForURL(url, host) {{
    var name = String(host).toLowerCase();
    while (name.length > 0 && name.charAt(name.length - 1) == ".") {{
        name = name.substring(0, name.length - 1);
    }}
    // Plain host names (intranet): DIRECT; IP literals: never the gateway.
    if (name.indexOf(".") < 0) {{
        return "DIRECT";
    }}
    if (name.indexOf(":") >= 0 || /^[0-9.]+$/.test(name)) {{
        return LEITPLANKE_OTHER;
    }}
    // The host itself, then each parent domain: a.b.chatgpt.com, b.chatgpt.com, ...
    for (;;) {{
        if (Object.prototype.hasOwnProperty.call(LEITPLANKE_HOSTS, name)) {{
            return LEITPLANKE_PROXY;
        }}
        for (var i = 0; i < LEITPLANKE_FAMILIES.length; i++) {{
            if (LEITPLANKE_FAMILIES[i].test(name)) {{
                return LEITPLANKE_PROXY;
            }}
        }}
        var dot = name.indexOf(".");
        if (dot < 0) {{
            return LEITPLANKE_OTHER;
        }}
        name = name.substring(dot + 1);
    }}
}}
"""


def _version() -> str:
    try:
        return metadata.version("leitplanke")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        return "(development)"
