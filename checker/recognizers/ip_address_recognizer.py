"""IPv4 and IPv6 addresses with German and English context (entity ``IP_ADDRESS``)."""

from __future__ import annotations

import ipaddress
import re

from presidio_analyzer import Pattern, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import IpRecognizer

from checker.recognizers.cue_context import boost, boost_by_cue
from checker.recognizers.table_columns import column_header

# IP cue words, German and English, matched as whole words (case-insensitive): as
# substrings "ip" would fire in "Tipp" and "host" in "Hostie".
_CUE_RE = re.compile(
    r"(?<![^\W\d_])(?:ip|ipv4|ipv6|ip-adressen?|ip-address(?:es)?|adressen?|address(?:es)?"
    r"|server|host|hosts|hostname|client|clients|from|von|gateway|router|dns|nameserver"
    r"|proxy|firewall|vpn|subnetz|subnet|netz|netzwerk|network|rechner|gerät|device"
    r"|remote|src|dst|source|destination|ping|ssh|rdp|login|anmeldung|zugriff|access"
    r"|verbindung|connection|connected|request|lan|wlan|wan|peer|ips|localhost|loopback"
    r"|broadcast|multicast|link-local|netmask|netzmaske|cidr)(?![^\W\d_])",
    re.IGNORECASE,
)
# Labels of dotted numbers that are not addresses, directly in front of a match
# ("Version 1.2.3.4", "Python: 3.13.0.1", "§ 1.2.3.4"): a version or section number.
_NOT_IP_LABEL_RE = re.compile(
    r"(?:(?<![^\W\d_])(?:version|ver|v|release|rel|build|python|java|firmware|fw|update"
    r"|upgrade|patch|hotfix|sdk|abschnitt|kapitel|absatz|ziffer|punkt|schritt|tabelle"
    r"|abbildung|abb|anhang|anlage|section|chapter|paragraph|clause|step|table|figure|fig"
    r"|appendix|oid|nr|no|stand)\.?|§)[\s:]*\Z",
    re.IGNORECASE,
)
_LABEL_WINDOW = 20  # characters before a match that are searched for a version label
# Column headers of version numbers ("Paket,Stand" / "alpha,10.1.1.1").
_NOT_IP_HEADER_RE = re.compile(
    r"(?<![^\W\d_])(?:version|ver|release|build|firmware|fw|stand|sdk|patch)(?![^\W\d_])",
    re.IGNORECASE,
)
_CUE_WINDOW = 50  # characters before a match that are searched for an IP cue
_CUE_AFTER = 20  # "192.168.0.10 (Server)", "… ist die IP"
# An address as a URL's host ("postgres://app:pw@10.0.0.5", "http://192.168.0.10") or
# after user@ ("ssh admin@10.0.0.5"), or followed by a port ("10.0.0.5:5432"): the
# connection syntax is the cue.
_URL_HOST_BEFORE_RE = re.compile(r"(?:://(?:[^\s/@]*@)?|[\w.-]@)\Z")
_URL_WINDOW = 200  # characters before a match searched for "scheme://user:pw@"
_PORT_AFTER_RE = re.compile(r":\d{1,5}(?!\d|[.:]\d)")
# A host name right before the address, as in hosts files, logs and inventories
# ("localhost 127.0.0.1", "db01.example.com 10.0.0.5").
_HOST_BEFORE_RE = re.compile(r"(?<![\w.-])(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}[ \t]+\Z")
_HOST_WINDOW = 80
# Table cells: a value in a CSV, semicolon, tab or Markdown-pipe row, under a header
# row whose cell for that column names the column ("last_ip", "Host", "Kennzeichen").
# For Presidio's own enhancer (substring matching on lemmas): only words that are
# safe as substrings; "ip", "host" and "von" are matched whole-word by
# enhance_using_context instead.
_CONTEXT = ("ipv4", "ipv6", "ip-adresse", "ip-address")


class IpAddressRecognizer(IpRecognizer):
    """Recognize IPv4 and IPv6 addresses, scored by shape and German/English context.

    Formats: Presidio's ``IpRecognizer`` patterns (dotted quads ``192.0.2.17``, CIDR
    ``10.20.30.0/24``, IPv6 ``2001:db8::1``, zone ids ``fe80::1%eth0``, IPv4-mapped
    ``::ffff:192.0.2.1``), validated with ``ipaddress`` (no leading zeros, octets up to
    255). Fictitious example: ``Zugriff von IP 192.0.2.17``.

    Loopback, private and documentation ranges are kept: in logs they identify a
    device. Scores: a bare public IPv4 address, or a short IPv6 address with one
    group (``::1``, also Python's ``x[::1]``), 0.4, which needs a cue word (IP, IPs,
    IP-Adresse, Adresse, Server, Host, localhost, Client, address, from, von, Gateway,
    Router, loopback, broadcast, ...; whole words, before or shortly after) to pass
    the 0.5 threshold: 0.75 with one. Connection syntax counts as a cue too: the host
    of a URL (``postgres://app:pw@10.0.0.5``, ``http://192.168.0.10``), ``user@`` in
    front, a ``:port`` behind, a host name in front (``db01.example.com 10.0.0.5`` as
    in hosts files and inventories), and so does the header of the table column the
    address stands in (CSV ``id,email,last_ip``, ``Host;Port``, Markdown ``| IP |``),
    however far down the table. A network in CIDR notation (``10.0.0.0/8``) and a
    device's address in a private, link-local or documentation range (``192.168.1.10``,
    ``10.0.0.5``, ``fe80::1``) score 0.5 without a cue: in a text such a dotted quad is
    an address, not a version. Loopback, ``0.0.0.0``, broadcast and multicast addresses
    identify no device and need a cue like any other. An IPv6 address
    with three or more groups or a zone id, and IPv4-mapped/embedded addresses, 0.6
    (0.95 with a cue). Dropped: the unspecified address ``::`` (no device's), matches
    glued to letters or to further ``.digit`` parts (``v3.11.7.1``, OIDs
    ``1.3.6.1.4.1``), and matches right after a version or section label (Version,
    Release, Build, Python, Firmware, Stand, Abschnitt, Kapitel, §, section, chapter
    ...) or under a version column.
    """

    name: str  # set by EntityRecognizer; declared because mypy cannot infer it there
    SCORE = 0.4
    SHAPE_SCORE = 0.5  # a network (CIDR) or an address in a well-known range
    STRONG_SCORE = 0.6

    def __init__(
        self,
        supported_language: str = "de",
        supported_entity: str = "IP_ADDRESS",
        patterns: list[Pattern] | None = None,
        context: list[str] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(
            patterns=patterns,
            context=context if context else list(_CONTEXT),
            supported_language=supported_language,
            supported_entity=supported_entity,
            name=name,
        )

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """Run Presidio's IP patterns, drop version and section numbers, score by shape."""
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        kept = []
        for result in results:
            if not self._plausible(text, result.start, result.end):
                continue
            if not any(c.isalnum() for c in text[result.start : result.end].split("/")[0]):
                continue  # "::", "::/0": the unspecified address is no device's
            if _no_host(text[result.start : result.end]):
                continue
            result.score = _shape_score(text[result.start : result.end])
            if result.analysis_explanation is not None:
                result.analysis_explanation.original_score = result.score
                result.analysis_explanation.score = result.score
            kept.append(result)
        return kept

    def enhance_using_context(
        self,
        text: str,
        raw_recognizer_results: list[RecognizerResult],
        other_raw_recognizer_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        """Boost a match when a whole-word IP cue stands shortly before or after it,
        when it is the host of a URL or has a port, or when its table column's header
        is an IP cue ("IP", "last_ip", "Host", "Server")."""
        results = boost_by_cue(
            text,
            raw_recognizer_results,
            _CUE_RE,
            before=_CUE_WINDOW,
            after=_CUE_AFTER,
            extra=" ".join(context or []),
            max_score=self.MAX_SCORE,
        )
        for result in results:
            if result.recognition_metadata.get(RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY):
                continue
            if _URL_HOST_BEFORE_RE.search(text[max(0, result.start - _URL_WINDOW) : result.start]):
                boost(result, "URL", self.MAX_SCORE)
            elif _PORT_AFTER_RE.match(text, result.end):
                boost(result, "port", self.MAX_SCORE)
            elif _HOST_BEFORE_RE.search(text, max(0, result.start - _HOST_WINDOW), result.start):
                boost(result, "host name", self.MAX_SCORE)
            elif _CUE_RE.search(header := column_header(text, result.start)):
                boost(result, header, self.MAX_SCORE)
        return results

    @staticmethod
    def _plausible(text: str, start: int, end: int) -> bool:
        # Glued to letters ("v3.11.7.1", "abc10.0.0.1") or part of a longer dotted run.
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_."):
            return False
        if re.match(r"\.\d|[^\W_]", text[end : end + 2]):
            return False
        if _NOT_IP_LABEL_RE.search(text[max(0, start - _LABEL_WINDOW) : start]):
            return False
        return not _NOT_IP_HEADER_RE.search(column_header(text, start))


def _shape_score(address: str) -> float:
    """0.6 for long or zoned IPv6 and IPv4-mapped forms; 0.5 for a network in CIDR
    notation or an address in a well-known range; 0.4 for the rest."""
    ip, _, prefix = address.partition("/")
    if ":" in ip:
        if "%" in ip or "." in ip:
            return IpAddressRecognizer.STRONG_SCORE
        groups = [g for g in ip.split(":") if g]
        if len(groups) >= 3:
            return IpAddressRecognizer.STRONG_SCORE
        if len(groups) < 2 and not prefix:
            return IpAddressRecognizer.SCORE  # "::1" is also Python's "x[::1]"
    if prefix.isdigit() or _well_known(ip):
        return IpAddressRecognizer.SHAPE_SCORE
    return IpAddressRecognizer.SCORE


def _no_host(address: str) -> bool:
    """0.0.0.0 ("any") and netmasks (255.255.255.0, 255.255.0.0: contiguous ones, not
    the broadcast address) name no host: never personal data, whatever the cue stands
    near them (issue 15: "listen 0.0.0.0:443", "netmask 255.255.255.0")."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if ip.version != 4 or "/" in address:
        return False
    bits = int(ip)
    ones = bin(bits).count("1")
    netmask = (
        bits != 0xFFFFFFFF
        and ip.packed[0] == 255
        and bits == (0xFFFFFFFF << (32 - ones)) & 0xFFFFFFFF
    )
    return ip.is_unspecified or netmask


def _well_known(address: str) -> bool:
    """An address of a device in a private, link-local or documentation range: in a
    text, such a dotted quad is an address, not a version. Loopback, "any", broadcast
    and multicast addresses identify no device and keep needing a cue ("localhost
    127.0.0.1" has one, "nginx lauscht auf 127.0.0.1" does not)."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    no_device = ip.is_loopback or ip.is_unspecified or ip.is_multicast or ip.is_reserved
    if no_device or (ip.version == 4 and ip.packed[0] == 0):  # 0/8: "0.7.8.17" is a version
        return False
    return ip.is_private or ip.is_link_local
