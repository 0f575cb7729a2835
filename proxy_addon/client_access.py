"""The ClientAccess addon: only the company's client networks may use the gateway.

mitmproxy's own `block_global` (on by default) already refuses clients with public
addresses; this narrows it to the networks IT names, so a guest Wi-Fi or a server
segment cannot use the gateway as an open proxy into AI services (or anywhere).
Loopback is always allowed (local tests, `make run`).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Sequence

from mitmproxy import connection, ctx, exceptions

log = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Private ranges (RFC 1918, RFC 4193 unique local, link-local) and loopback.
DEFAULT_CLIENT_NETWORKS = (
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "fc00::/7",
    "fe80::/10",
)


def parse_networks(values: Sequence[str]) -> list[Network]:
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise exceptions.OptionsError(
                f"leitplanke_client_networks: {value!r} is not a network; write e.g. 10.20.0.0/16"
            ) from exc
    return networks


def client_allowed(peer: str, networks: Sequence[Network]) -> bool:
    try:
        address = ipaddress.ip_address(peer.rsplit("%", 1)[0])
    except ValueError:
        return False  # not an IP address: refuse rather than fail open
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return True
    return any(address.version == net.version and address in net for net in networks)


class ClientAccess:
    def __init__(self) -> None:
        self.networks: list[Network] = parse_networks(DEFAULT_CLIENT_NETWORKS)

    def load(self, loader: object) -> None:
        loader.add_option(  # type: ignore[attr-defined]
            "leitplanke_client_networks",
            Sequence[str],
            list(DEFAULT_CLIENT_NETWORKS),
            "Client networks (CIDR) allowed to use the gateway; others are disconnected. "
            "Loopback is always allowed. Default: the private ranges.",
        )

    def configure(self, updated: set[str]) -> None:
        if "leitplanke_client_networks" in updated:
            self.networks = parse_networks(ctx.options.leitplanke_client_networks)

    def client_connected(self, client: connection.Client) -> None:
        peer = str(client.peername[0])
        if not client_allowed(peer, self.networks):
            # No address in the log line: it may identify a person; the count is enough.
            log.warning("leitplanke: refused a client outside leitplanke_client_networks")
            client.error = "Connection refused: client network not allowed."
