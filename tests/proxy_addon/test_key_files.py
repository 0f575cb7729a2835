"""KeyFiles: the gateway refuses a CA private key that others can read."""

from __future__ import annotations

from pathlib import Path

import pytest
from mitmproxy import exceptions
from mitmproxy.addons.tlsconfig import TlsConfig
from mitmproxy.test import taddons

from proxy_addon.key_files import KeyFiles


def test_owner_only_ca_key_is_accepted_and_a_readable_one_refused(tmp_path: Path) -> None:
    keys = KeyFiles()
    with taddons.context(TlsConfig(), keys) as tctx:
        tctx.configure(keys, confdir=str(tmp_path))  # mitmproxy creates the CA, 0600
        ca_key = tmp_path / "mitmproxy-ca.pem"
        assert ca_key.exists()
        ca_key.chmod(0o644)
        with pytest.raises(exceptions.OptionsError, match="chmod 600"):
            tctx.configure(keys, confdir=str(tmp_path) + "/")
