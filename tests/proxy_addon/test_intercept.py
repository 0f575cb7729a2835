"""Intercept addon: allow_hosts derived from the catalog (and policy), IT overrides respected."""

from __future__ import annotations

import pytest
from mitmproxy import exceptions
from mitmproxy.addons.next_layer import NextLayer
from mitmproxy.test import taddons

from proxy_addon.intercept import Intercept


def test_allow_hosts_is_derived_and_decrypts_only_ai_hosts() -> None:
    intercept = Intercept()
    with taddons.context(NextLayer(), intercept) as tctx:
        tctx.configure(intercept)
        assert len(tctx.options.allow_hosts) == 1
        assert intercept.decrypts("api.openai.com")
        assert intercept.decrypts("files.oaiusercontent.com") == (
            intercept.catalog.lookup("files.oaiusercontent.com") is not None
        )
        assert not intercept.decrypts("www.sparkasse.de")
        assert not intercept.decrypts("evilchatgpt.com")


def test_passthrough_service_is_tunnelled() -> None:
    intercept = Intercept()
    with taddons.context(NextLayer(), intercept) as tctx:
        tctx.configure(intercept, leitplanke_passthrough=["deepl"])
        assert not intercept.decrypts("api.deepl.com")
        assert intercept.decrypts("api.openai.com")
        with pytest.raises(exceptions.OptionsError, match="unknown service id"):
            tctx.configure(intercept, leitplanke_passthrough=["no-such-tool"])


def test_intercept_all_clears_allow_hosts() -> None:
    intercept = Intercept()
    with taddons.context(NextLayer(), intercept) as tctx:
        tctx.configure(intercept)
        tctx.configure(intercept, leitplanke_intercept="all")
        assert tctx.options.allow_hosts == []
        assert intercept.decrypts("www.sparkasse.de")


def test_explicit_allow_or_ignore_hosts_win() -> None:
    intercept = Intercept()
    with taddons.context(NextLayer(), intercept) as tctx:
        tctx.configure(intercept)
        tctx.configure(intercept, allow_hosts=[r"^intranet-llm\.example:443$"])
        assert tctx.options.allow_hosts == [r"^intranet-llm\.example:443$"]
        intercept.refresh()  # a new client connection must not overwrite IT's choice
        assert tctx.options.allow_hosts == [r"^intranet-llm\.example:443$"]
        assert intercept.decrypts("intranet-llm.example")
        assert not intercept.decrypts("api.openai.com")
