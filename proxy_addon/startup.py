"""Whether the gateway's options are final yet: addons with side effects wait for it.

`leitplanke proxy` registers its addons before mitmproxy applies the command line,
and mitmproxy calls every registered addon's configure() each time a later addon
declares an option. Without this hold, the Recorder would create `./leitplanke.db`
and its key in the working directory (fatal in a read-only one) and PolicySource
would load and log the embedded default policy — all before `--db`/`--policy`
arrive. And when mitmproxy refuses an option value at start, it rolls the options
back to their defaults and configures every addon again with them: the process is
about to exit with the error, so nothing may be created for those defaults either.

    hold()     while the addons register (LeitplankeMaster.__init__)
    release()  before mitmproxy applies the command line
    refuse()   an option was refused before the start: stay inert until exit

Plain `mitmdump -s` never holds: it loads the script after the options are set.
"""

from __future__ import annotations

_held = False
_refused = False


def hold() -> None:
    global _held
    _held = True


def release() -> None:
    global _held
    _held = False


def refuse() -> None:
    global _refused
    _refused = True


def reset() -> None:
    """For tests that run several masters in one process."""
    global _held, _refused
    _held = _refused = False


def settled() -> bool:
    """True when configure() may act on the options (open files, load the policy)."""
    return not (_held or _refused)
