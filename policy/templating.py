"""The one Jinja environment factory: every package that renders templates (the guideline
here, the portal pages, the report, the inventory) gets its environment from it.

Here in policy/, the bottom of the import graph, so that every package may use it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import jinja2


@cache
def _cached(
    package: str, filters: tuple[tuple[str, Callable[..., Any]], ...]
) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        # HTML templates are escaped; Markdown ones use their own `md` filter.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=jinja2.StrictUndefined,  # a missing value is a bug, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(dict(filters))
    return env


def template_environment(
    package: str, filters: Mapping[str, Callable[..., Any]] | None = None
) -> jinja2.Environment:
    """The environment for `<package>/templates/`, built once per package and filters."""
    return _cached(package, tuple(sorted((filters or {}).items())))
