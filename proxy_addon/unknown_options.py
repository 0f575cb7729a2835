"""The UnknownOptions addon: refuse to run with a `leitplanke_*` option nobody declares.

mitmproxy keeps an unknown `--set NAME=VALUE` aside (`options.deferred`) in case a
script declares NAME later, and otherwise runs as if it had not been given. For our
options that weakens enforcement without a word: `--set leitplanke_fial_mode=closed`
leaves the fail mode at its default. Every Leitplanke addon declares its options when
it is loaded, so a `leitplanke_*` name still unknown then is a mistake: configure()
refuses it (mitmproxy stops at start), and running() checks once more for a name
that arrived without any configure() after it.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable

from mitmproxy import ctx, exceptions

log = logging.getLogger(__name__)

PREFIX = "leitplanke_"


def unknown_options_error(unknown: Iterable[str], known: Iterable[str]) -> str:
    """One line naming each unknown option and, if one is close, the known one meant."""
    known = sorted(known)
    parts = []
    for name in sorted(unknown):
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
        parts.append(f"{name} — did you mean {close[0]}?" if close else name)
    return (
        f"unknown option {'; '.join(parts)} (mitmproxy would ignore it; see "
        "'mitmdump --options' and the leitplanke_* options in docs/service.md)"
    )


def unknown_leitplanke_options() -> list[str]:
    """`leitplanke_*` names given (command line, mitmproxy's config.yaml) but declared
    by no loaded addon."""
    return [name for name in ctx.options.deferred if name.startswith(PREFIX)]


class UnknownOptions:
    def configure(self, updated: set[str]) -> None:
        if unknown := unknown_leitplanke_options():
            raise exceptions.OptionsError(unknown_options_error(unknown, ctx.options.keys()))

    def running(self) -> None:
        if unknown := unknown_leitplanke_options():
            # An error logged at start makes mitmdump exit non-zero (its ErrorCheck);
            # shutting down covers a master without it.
            log.error("leitplanke: %s", unknown_options_error(unknown, ctx.options.keys()))
            ctx.master.shutdown()
