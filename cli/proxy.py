"""`leitplanke proxy`: mitmdump with the Leitplanke addons and safe defaults."""

from __future__ import annotations

from typing import Any

from mitmproxy import options
from mitmproxy.tools import cmdline
from mitmproxy.tools.dump import DumpMaster
from mitmproxy.tools.main import run

from proxy_addon.leitplanke_addon import make_addons


class LeitplankeMaster(DumpMaster):
    """DumpMaster with our addons registered up front, so `leitplanke_*` options
    exist before the command line is applied."""

    def __init__(self, opts: options.Options, **kwargs: Any) -> None:
        super().__init__(opts, **kwargs)
        self.addons.add(*make_addons())


def mitmdump_args(
    *,
    policy: str | None,
    db: str,
    listen_host: str,
    listen_port: int,
    confdir: str | None,
    sets: tuple[str, ...],
) -> list[str]:
    """The mitmdump command line for our flags.

    Every --set value goes to mitmproxy in one `options.set(*values)` call (as
    mitmdump does), so repeated sequence options such as two map_remote rules all
    survive. Our defaults yield to a user's explicit --set of the same option
    (mitmproxy rejects two values for a scalar option).
    """
    defaults = {
        "connection_strategy": "lazy",  # nothing connects upstream before a decision
        # mitmdump prints every URL by default; URLs can carry personal data in query
        # strings, so the gateway logs only its own decision lines (no values).
        "flow_detail": "0",
        "leitplanke_db": db,
    }
    if policy:
        defaults["leitplanke_policy"] = policy
    if confdir:
        defaults["confdir"] = confdir
    user_keys = {spec.split("=", 1)[0] for spec in sets}
    args = ["--listen-host", listen_host, "--listen-port", str(listen_port)]
    for key, value in defaults.items():
        if key not in user_keys:
            args += ["--set", f"{key}={value}"]
    for spec in sets:
        args += ["--set", spec]
    return args


def run_proxy(args: list[str]) -> None:
    run(LeitplankeMaster, cmdline.mitmdump, args)
