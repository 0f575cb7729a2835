"""Checks of `leitplanke_*` option values for the addons' configure().

mitmproxy checks an option's type, but not the `choices=` it declares: `--set
leitplanke_fail_mode=closd` would be accepted and, as anything but "closed", fail
open. Each addon checks its own options in configure() with these helpers; an
OptionsError there stops mitmproxy at start (and rolls back a change at run time),
and its message is the one line the administrator sees: the option, the value
given, what is valid and the closest valid value.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Sequence

from mitmproxy import ctx, exceptions


def closest(word: str, choices: Sequence[str]) -> str | None:
    """The choice `word` most likely misspells, if any is close."""
    folded = word.strip().casefold()
    found = [c for c in choices if c.casefold() == folded]  # "Closed", " open"
    found = found or difflib.get_close_matches(folded, list(choices), n=1, cutoff=0.6)
    if not found:  # "clo" for "closed", "en-US" for "en"
        found = [c for c in choices if folded and (c.startswith(folded) or folded.startswith(c))]
    return found[0] if found else None


def choice_error(name: str, value: object, choices: Sequence[str]) -> str:
    close = closest(str(value), choices)
    hint = f"did you mean {close!r}? " if close else ""
    return f"{name}: {value!r} is not valid — {hint}valid values: {', '.join(choices)}"


def check_choice(name: str, choices: Sequence[str]) -> None:
    """Refuse a value of option `name` that is not one of `choices`."""
    value = getattr(ctx.options, name)
    if value not in choices:
        raise exceptions.OptionsError(choice_error(name, value, choices))


def check_range(name: str, low: int, high: int, meaning: str = "") -> None:
    """Refuse a value of integer option `name` outside low..high; `meaning` explains
    the bounds (e.g. "0 turns it off")."""
    value = getattr(ctx.options, name)
    if not low <= value <= high:
        note = f" ({meaning})" if meaning else ""
        raise exceptions.OptionsError(
            f"{name}: {value} is out of range — use {low} to {high}{note}"
        )


class OneLineOptionErrors(logging.Filter):
    """Plain `mitmdump -s leitplanke_addon.py` logs an OptionsError raised while it
    configures a script with the full traceback; the message already says what is
    wrong and how to fix it, so the log line keeps only that."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, exceptions.OptionsError):
            record.msg, record.args = f"{record.getMessage()}: {exc}", ()
            record.exc_info, record.exc_text = None, None
        return True


_ONE_LINE = OneLineOptionErrors()  # one instance: a reloaded script adds no second one


def one_line_script_errors() -> None:
    """Install OneLineOptionErrors on mitmproxy's script loader's logger."""
    logging.getLogger("mitmproxy.addons.script").addFilter(_ONE_LINE)


# --- whether the options are final yet ----------------------------------------------
# Whether the gateway's options are final yet: addons with side effects wait for it.
#
# `leitplanke proxy` registers its addons before mitmproxy applies the command line,
# and mitmproxy calls every registered addon's configure() each time a later addon
# declares an option. Without this hold, the Recorder would create `./leitplanke.db`
# and its key in the working directory (fatal in a read-only one) and PolicySource
# would load and log the embedded default policy — all before `--db`/`--policy`
# arrive. And when mitmproxy refuses an option value at start, it rolls the options
# back to their defaults and configures every addon again with them: the process is
# about to exit with the error, so nothing may be created for those defaults either.
#
#     hold()     while the addons register (LeitplankeMaster.__init__)
#     release()  before mitmproxy applies the command line
#     refuse()   an option was refused before the start: stay inert until exit
#
# Plain `mitmdump -s` never holds: it loads the script after the options are set.

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
