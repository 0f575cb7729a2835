"""IPv4 and IPv6 addresses with German and English context (entity ``IP_ADDRESS``)."""

from __future__ import annotations

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
    r"|verbindung|connection|connected|request|lan|wlan|wan|peer)(?![^\W\d_])",
    re.IGNORECASE,
)
# Labels of dotted numbers that are not addresses, directly in front of a match
# ("Version 1.2.3.4", "Python: 3.13.0.1", "§ 1.2.3.4"): a version or section number.
_NOT_IP_LABEL_RE = re.compile(
    r"(?:(?<![^\W\d_])(?:version|ver|v|release|rel|build|python|java|firmware|fw|update"
    r"|upgrade|patch|hotfix|sdk|abschnitt|kapitel|absatz|ziffer|punkt|schritt|tabelle"
    r"|abbildung|abb|anhang|anlage|section|chapter|paragraph|clause|step|table|figure|fig"
    r"|appendix|oid|nr|no)\.?|§)[\s:]*\Z",
    re.IGNORECASE,
)
_LABEL_WINDOW = 20  # characters before a match that are searched for a version label
_CUE_WINDOW = 50  # characters before a match that are searched for an IP cue
_CUE_AFTER = 20  # "192.168.0.10 (Server)", "… ist die IP"
# An address as a URL's host ("postgres://app:pw@10.0.0.5", "http://192.168.0.10") or
# after user@ ("ssh admin@10.0.0.5"), or followed by a port ("10.0.0.5:5432"): the
# connection syntax is the cue.
_URL_HOST_BEFORE_RE = re.compile(r"(?:://(?:[^\s/@]*@)?|[\w.-]@)\Z")
_URL_WINDOW = 200  # characters before a match searched for "scheme://user:pw@"
_PORT_AFTER_RE = re.compile(r":\d{1,5}(?!\d|[.:]\d)")
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
    device. Scores: a bare IPv4 address, or a short IPv6 address with one or two
    groups (``fe80::1``, ``::1``), 0.4, which needs a cue word (IP, IP-Adresse, Adresse,
    Server, Host, Client, address, from, von, Gateway, Router, ...; whole words,
    before or shortly after) to pass the 0.5 threshold: 0.75 with one. Connection
    syntax counts as a cue too: the host of a URL (``postgres://app:pw@10.0.0.5``,
    ``http://192.168.0.10``), ``user@`` in front, a ``:port`` behind, and so does the
    header of the table column the address stands in (CSV ``id,email,last_ip``,
    ``Host;Port``, Markdown ``| IP |``), however far down the table. An IPv6
    address with three or more groups or a zone id, and IPv4-mapped/embedded
    addresses, 0.6 (0.95 with a cue). Dropped: matches glued to letters or to further
    ``.digit`` parts (``v3.11.7.1``, OIDs ``1.3.6.1.4.1``), and matches right after a
    version or section label (Version, Release, Build, Python,
    Firmware, Abschnitt, Kapitel, §, section, chapter ...).
    """

    name: str  # set by EntityRecognizer; declared because mypy cannot infer it there
    SCORE = 0.4
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
        return not _NOT_IP_LABEL_RE.search(text[max(0, start - _LABEL_WINDOW) : start])


def _shape_score(address: str) -> float:
    """0.6 for long or zoned IPv6 and IPv4-mapped forms, 0.4 for the rest."""
    if ":" not in address:
        return IpAddressRecognizer.SCORE
    if "%" in address or "." in address:
        return IpAddressRecognizer.STRONG_SCORE
    groups = [g for g in address.split("/")[0].split(":") if g]
    return IpAddressRecognizer.STRONG_SCORE if len(groups) >= 3 else IpAddressRecognizer.SCORE
