"""`leitplanke proxy --help` lists every leitplanke_* option the addons register."""

from __future__ import annotations

from click.testing import CliRunner
from mitmproxy.test import taddons

from cli.addon_options import declared_options
from cli.main import cli
from proxy_addon.leitplanke_addon import make_addons


def registered() -> set[str]:
    """What mitmproxy itself registers when it loads the gateway's addons."""
    with taddons.context(*make_addons()) as tctx:
        names = tctx.options.keys()  # OptManager has keys(), no __iter__
        return {name for name in names if name.startswith("leitplanke_")}


def test_help_lists_every_registered_option() -> None:
    names = registered()
    assert len(names) >= 25
    text = CliRunner().invoke(cli, ["proxy", "--help"], terminal_width=200).output
    missing = sorted(name for name in names if f"  {name}  " not in text)
    assert missing == []


def test_each_option_with_its_help_choices_and_default() -> None:
    declared = {o.name: o for o in declared_options()}
    assert set(declared) == registered()
    fail_mode = declared["leitplanke_fail_mode"].line()
    assert fail_mode.endswith("[policy, closed, open; default: policy]")
    assert declared["leitplanke_workers"].shown_default() == "cores - 1"  # not this machine's
    assert declared["leitplanke_banner"].shown_default() == "true"
