"""The `leitplanke_*` options, as the addons declare them: for `proxy --help`.

Read from the addons themselves (each addon's `load(loader)`), so the help lists every
option with its own text and can never fall behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

PREFIX = "leitplanke_"
# Defaults that depend on the machine; shown in words so the help (and docs/cli.md)
# is the same everywhere.
MACHINE_DEFAULTS = {"leitplanke_workers": "cores - 1"}


@dataclass(frozen=True)
class Declared:
    name: str
    typespec: Any
    default: Any
    help: str
    choices: tuple[str, ...] = ()

    def shown_default(self) -> str:
        if self.name in MACHINE_DEFAULTS:
            return MACHINE_DEFAULTS[self.name]
        if isinstance(self.default, bool):
            return "true" if self.default else "false"
        if isinstance(self.default, list | tuple):
            return ",".join(str(v) for v in self.default) or "(none)"
        return str(self.default) if self.default != "" else "(empty)"

    def line(self) -> str:
        values = f"{', '.join(self.choices)}; " if self.choices else ""
        return f"{self.help} [{values}default: {self.shown_default()}]"


class _Collect:
    """Stands in for mitmproxy's Loader: records what each addon declares."""

    def __init__(self) -> None:
        self.options: dict[str, Declared] = {}

    def add_option(
        self,
        name: str,
        typespec: Any,
        default: Any,
        help: str,
        choices: Sequence[str] | None = None,
    ) -> None:
        self.options[name] = Declared(name, typespec, default, help, tuple(choices or ()))


def _each(addons: Iterable[object]) -> Iterator[object]:
    for addon in addons:
        yield addon
        yield from _each(getattr(addon, "addons", None) or ())


def declared_options(addons: Iterable[object] | None = None) -> list[Declared]:
    """Every `leitplanke_*` option of the gateway's addons, by name."""
    if addons is None:
        from proxy_addon.leitplanke_addon import addons as gateway_addons

        addons = gateway_addons
    loader = _Collect()
    for addon in _each(addons):
        load = getattr(addon, "load", None)
        if load is not None:
            load(loader)
    return sorted(
        (o for o in loader.options.values() if o.name.startswith(PREFIX)), key=lambda o: o.name
    )
