"""IpAddressRecognizer: IPv4/IPv6 with German/English cues; versions and sections are not."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.predefined_recognizers import IpRecognizer

from checker.evaluation.peer_cases import Unit
from checker.recognizers import IpAddressRecognizer
from tests.checker.peer_helpers import check_unit, peer_units


@pytest.fixture(scope="module")
def detect(make_detector: Callable[..., Callable[..., list]]) -> Callable[..., list]:
    return make_detector(IpAddressRecognizer())


# Public addresses (84.x, 217.x) score 0.4 and need a cue (0.75); addresses in a
# well-known range (private, loopback, link-local, documentation) and networks in
# CIDR notation score 0.5 on their own (0.85 with a cue).
@pytest.mark.parametrize(
    ("text", "address", "score"),
    [
        ("Zugriff von IP 84.148.168.90 um 14:30", "84.148.168.90", 0.75),
        ("Die IP-Adresse lautet 217.242.114.155.", "217.242.114.155", 0.75),
        ("Login from 84.148.168.90 failed", "84.148.168.90", 0.75),
        ("Zugriff von IP 192.0.2.17 um 14:30", "192.0.2.17", 0.85),
        ("Die IP-Adresse lautet 203.0.113.5.", "203.0.113.5", 0.85),
        ("Server 10.0.0.1:8080 antwortet nicht", "10.0.0.1", 0.85),
        ("Host 127.0.0.1 ist erreichbar", "127.0.0.1", 0.75),
        ("Client 192.168.178.23 hat sich angemeldet", "192.168.178.23", 0.85),
        ("Login from 198.51.100.42 failed", "198.51.100.42", 0.85),
        ("Subnetz 10.20.30.0/24", "10.20.30.0/24", 0.85),
        ("192.0.2.44 (Gateway)", "192.0.2.44", 0.85),
        ("Die Server-Version 1.2.3.4 läuft auf 10.0.0.5", "10.0.0.5", 0.85),
        ("2001:db8::1", "2001:db8::1", 0.6),
        ("Interface fe80::1%eth0 is up", "fe80::1%eth0", 0.6),
        ("IPv6 2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3::8a2e:370:7334", 0.95),
        ("Host fe80::1", "fe80::1", 0.85),
        ("Host ::1", "::1", 0.75),
        ("mapped ::ffff:192.0.2.1", "::ffff:192.0.2.1", 0.6),
    ],
)
def test_addresses(detect: Callable[..., list], text: str, address: str, score: float) -> None:
    assert detect(text) == [("IP_ADDRESS", address, pytest.approx(score))]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ('connect("postgres://app:s3cr#t@10.117.126.16:5432/crm");', "10.117.126.16"),
        ("curl http://192.168.0.10:8080/api/health", "192.168.0.10"),
        ("https://203.0.113.9/login", "203.0.113.9"),
        ("ssh admin@198.51.100.7", "198.51.100.7"),
        ("Erreichbar unter 10.1.2.3:5432.", "10.1.2.3"),
    ],
)
def test_connection_syntax_is_a_cue(detect: Callable[..., list], text: str, address: str) -> None:
    # All in well-known ranges: 0.5 + the cue.
    assert detect(text) == [("IP_ADDRESS", address, pytest.approx(0.85))]
    public = text.replace(address, "84.148.168.90")
    assert detect(public) == [("IP_ADDRESS", "84.148.168.90", pytest.approx(0.75))]


@pytest.mark.parametrize(
    ("text", "addresses"),
    [
        (
            "id,first_name,last_name,email,last_ip\n"
            "11,Katrin,Papadopoulos,k.p@example.de,10.111.253.218\n"
            "16,Stefan,Becker,s.becker@example.de,84.148.168.90\n"
            "17,Sarah,Fischer,s.fischer@example.de,217.242.114.155",
            ["10.111.253.218", "84.148.168.90", "217.242.114.155"],
        ),
        ("Name;Host;Port\nDB;10.1.2.3;5432\nCache;10.1.2.4;6379", ["10.1.2.3", "10.1.2.4"]),
        ("| Gerät | IP |\n|---|---|\n| Drucker | 192.0.2.50 |", ["192.0.2.50"]),
    ],
)
def test_table_column_header_is_a_cue(
    detect: Callable[..., list], text: str, addresses: list[str]
) -> None:
    assert [span for _, span, _ in detect(text)] == addresses


@pytest.mark.parametrize(
    "text",
    [
        "Version,Datum\n1.2.3.4,2024\n1.2.3.5,2025",  # version column, "Version" label
        "Paket,Stand\nalpha,10.1.1.1\nbeta,10.1.1.2",  # header is no IP cue
        "Siehe Kapitel 1.2.3.4:5 dazu.",
    ],
)
def test_tables_and_colons_without_ip_cue(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


@pytest.mark.parametrize(
    "address",
    [
        "84.1.1.1",
        "217.242.114.155",
        "::1",
        "2a00::1",
        # no device's address: loopback, broadcast, multicast
        "127.0.0.1",
        "255.255.255.255",
        "ff02::1",
        "224.0.0.251",
    ],
)
def test_bare_short_forms_stay_below_threshold(detect: Callable[..., list], address: str) -> None:
    text = f"Siehe {address} weiter unten."
    assert detect(text) == []
    assert detect(text, threshold=0.0) == [("IP_ADDRESS", address, pytest.approx(0.4))]


@pytest.mark.parametrize(
    "text",
    [
        "server { listen 0.0.0.0:443 ssl; }",
        "IP 0.0.0.0 heißt: auf allen Interfaces",
        "netmask 255.255.255.0, gateway 192.0.2.1",
        "Subnetzmaske 255.255.0.0 im Router eintragen",
        "mask 255.255.255.252 for the point-to-point link",
    ],
)
def test_any_address_and_netmasks_are_no_host(detect: Callable[..., list], text: str) -> None:
    # 0.0.0.0 and netmasks name no host, whatever cue stands near them (issue 15)
    found = [value for _, value, _ in detect(text, threshold=0.0)]
    assert not {"0.0.0.0", "255.255.255.0", "255.255.0.0", "255.255.255.252"} & set(found)


@pytest.mark.parametrize(
    "address",
    [
        "192.0.2.17",  # documentation
        "10.1.1.1",  # private
        "172.16.0.1",
        "192.168.178.1",
        "169.254.1.1",  # link-local
        "fe80::1",
        "10.0.0.0/8",  # networks
        "84.1.0.0/16",
        "2a00:1450::/32",
        "::1/128",
    ],
)
def test_well_known_ranges_and_networks_count_without_cue(
    detect: Callable[..., list], address: str
) -> None:
    # In a text, a dotted quad in these ranges is an address, not a version number.
    assert detect(f"Siehe {address} weiter unten.") == [("IP_ADDRESS", address, pytest.approx(0.5))]


@pytest.mark.parametrize(
    ("text", "addresses"),
    [
        ("IPs: 84.1.1.1, 84.2.2.2, 2001:db8::1", ["84.1.1.1", "84.2.2.2", "2001:db8::1"]),
        ("localhost 127.0.0.1", ["127.0.0.1"]),
        ("db01.example.com 84.148.168.90", ["84.148.168.90"]),
        ("Broadcast 255.255.255.255", ["255.255.255.255"]),
        ("Loopback ::1", ["::1"]),
        ("(192.168.1.1)", ["192.168.1.1"]),
        ("192.168.2.1@eth0", ["192.168.2.1"]),
        ("Route is 10.0.0.0/8.", ["10.0.0.0/8"]),
    ],
)
def test_lists_hosts_and_parentheses(
    detect: Callable[..., list], text: str, addresses: list[str]
) -> None:
    assert [span for _, span, _ in detect(text)] == addresses


@pytest.mark.parametrize("text", ["::", "Unspecified ::", "IPv6 ::/0", "x = a[::1]"])
def test_unspecified_address_and_slices_are_not_reported(
    detect: Callable[..., list], text: str
) -> None:
    assert detect(text) == []


@pytest.mark.parametrize(
    "text",
    [
        # versions, sections, OIDs
        "Version 1.2.3.4",
        "Version: 1.2.3.4",
        "Server Version 1.2.3.4",
        "v3.11.7.1 released",
        "Python 3.13.0.1",
        "Firmware 2.0.1.5 installiert",
        "Abschnitt 1.2.3.4 regelt das",
        "gemäß § 1.2.3.4",
        "Section 1.2.3.4 of the contract",
        "OID 1.3.6.1.4.1.311",
        "IP 1.2.3.4.5",
        "Build 10.0.19045.3803",
        # dates, times, amounts, MAC addresses
        "Termin am 03.04.2024",
        "Datum 01.02.03.04",
        "Uhrzeit 12:30:45",
        "Betrag 1.234.567,89 EUR",
        "MAC 00:1A:2B:3C:4D:5E",
        # no address at all; "Tipp" contains "ip" (a public address: no range rule)
        "std::vector<int> v;",
        "Tipp: 84.1.1.1 merken",
        "Server 999.1.1.1 ist ungültig",
        "Die Rechnung ist fällig.",
    ],
)
def test_look_alikes_are_not_ip_addresses(detect: Callable[..., list], text: str) -> None:
    assert detect(text) == []


def test_several_addresses_in_a_log(detect: Callable[..., list]) -> None:
    log = (
        "2026-01-15 10:00:01 Login from 192.0.2.10 ok\n"
        "2026-01-15 10:00:02 Login from 2001:db8::42 ok\n"
        "Python 3.13.0.1, Version 1.2.3.4\n"
    )
    assert [span for _, span, _ in detect(log)] == ["192.0.2.10", "2001:db8::42"]


def test_is_a_presidio_ip_recognizer() -> None:
    recognizer = IpAddressRecognizer()
    assert isinstance(recognizer, IpRecognizer)
    assert recognizer.supported_language == "de"
    assert recognizer.supported_entities == ["IP_ADDRESS"]


@pytest.fixture(scope="module")
def peer_analyzer(make_analyzer: Callable[..., AnalyzerEngine]) -> AnalyzerEngine:
    return make_analyzer(IpAddressRecognizer())


@pytest.mark.parametrize("unit", peer_units("IP_ADDRESS"))
def test_peer_cases(peer_analyzer: AnalyzerEngine, unit: Unit) -> None:
    """Presidio's and python-stdnum's cases for this type (tests/peers/), as the peer
    suite scores them: the peer's expectation, or Leitplanke's choice where debatable."""
    check_unit(peer_analyzer, unit)
