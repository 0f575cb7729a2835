"""ClientAccess: the gateway is no open proxy."""

from __future__ import annotations

import pytest
from mitmproxy import exceptions
from mitmproxy.test import taddons, tflow

from proxy_addon.client_access import ClientAccess


@pytest.mark.parametrize(
    ("peer", "allowed"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("10.20.30.40", True),
        ("192.168.1.5", True),
        ("::ffff:192.168.1.5", True),
        ("fe80::1%eth0", True),
        ("8.8.8.8", False),
        ("100.64.0.1", False),  # carrier-grade NAT is not the company network
        ("2001:db8::1", False),
    ],
)
def test_default_allows_private_networks_only(peer: str, allowed: bool) -> None:
    addon = ClientAccess()
    with taddons.context(addon):
        client = tflow.tclient_conn()
        client.peername = (peer, 50000)
        addon.client_connected(client)
        assert (client.error is None) is allowed


def test_it_names_its_networks() -> None:
    addon = ClientAccess()
    with taddons.context(addon) as tctx:
        tctx.configure(addon, leitplanke_client_networks=["10.20.0.0/16"])
        inside, outside = tflow.tclient_conn(), tflow.tclient_conn()
        inside.peername, outside.peername = ("10.20.1.1", 1), ("10.30.1.1", 1)
        addon.client_connected(inside)
        addon.client_connected(outside)
        assert inside.error is None and outside.error is not None
        with pytest.raises(exceptions.OptionsError, match="not a network"):
            tctx.configure(addon, leitplanke_client_networks=["10.20.0.0/33"])
