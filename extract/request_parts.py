"""The parts of a request outside its body: URL path, query and headers, as text parts.

Vendors log URLs and headers as they log bodies; a value in `?note=…`, in a path
segment or in a custom header (`x-user-note: DE89…`) reaches them as surely as one in a
prompt. What is scanned and what is ignored (transport, credentials, browser and SDK
headers) is decided by extract/coverage.py's table.

Locations never carry caller data: a query parameter or header is shown by name only
when it looks like a field name (json_walk.name_segment), else by its position.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import unquote, unquote_plus

from extract.coverage import header_rule, is_hop_header, string_rule
from extract.json_walk import name_segment
from extract.model import TextPart
from extract.path import ROOT

URL_PATH = ROOT.mark("url", "url.path")
URL_QUERY = ROOT.mark("url", "url.query")  # then the parameter: "url.query.note", "[#2]"
HEADER = ROOT.mark("header", "header")  # then the header: "header.x-user-note"


def url_parts(target: str) -> list[TextPart]:
    """The path (segments percent-decoded, joined by blanks: "/DE89/3704/…" reads as a
    grouped IBAN) and each query parameter ("name value") of a request target."""
    path, _, query = target.split("#", 1)[0].partition("?")
    parts: list[TextPart] = []
    segments = [unquote(segment, errors="replace") for segment in path.split("/")]
    text = " ".join(s for s in segments if string_rule(s) is None)
    if text:
        parts.append(TextPart(URL_PATH, text))
    for index, field in enumerate(f for f in query.split("&") if f):
        raw_name, _, raw_value = field.partition("=")
        name = unquote_plus(raw_name, errors="replace")
        value = unquote_plus(raw_value, errors="replace")
        text = f"{name} {value}" if string_rule(value) is None else name
        if string_rule(text) is None:
            parts.append(TextPart(URL_QUERY.then(name_segment(name, index)), text))
    return parts


def header_parts(headers: Iterable[tuple[str, str]]) -> list[TextPart]:
    """Every header the coverage table does not ignore, one part each: "name: value"
    (a custom header's name reaches the vendor like its value)."""
    parts: list[TextPart] = []
    for index, (name, value) in enumerate(headers):
        if header_rule(name, value) is not None:
            continue
        if is_hop_header(name):
            value = _without_addresses(value)
        text = f"{name}: {value}" if string_rule(value) is None else name
        parts.append(TextPart(HEADER.then(name_segment(name.lower(), index)), text))
    return parts


# An IPv4 or IPv6 address (ipaddress decides), in brackets or with a port.
_ADDRESS = re.compile(r"\[?([0-9A-Fa-f:.]{2,45})\]?(?::\d{1,5})?")


def _without_addresses(value: str) -> str:
    """`value` with the IP addresses proxies write (x-forwarded-for, forwarded's for=)
    blanked: those are the network's, not the sender's; anything else stays."""

    def blank(m: re.Match[str]) -> str:
        try:
            ipaddress.ip_address(m.group(1))
        except ValueError:
            return m.group()
        return " " * len(m.group())

    return _ADDRESS.sub(blank, value)
