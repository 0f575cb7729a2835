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
