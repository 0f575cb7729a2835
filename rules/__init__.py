"""Data, not code: the AI service catalog and message templates (YAML files here)."""

import os
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml


def rules_file(name: str) -> Traversable:
    return resources.files(__name__).joinpath(name)


def read_rules_yaml(
    path: str | os.PathLike[str] | None, default_name: str, error: type[Exception]
) -> tuple[Any, str]:
    """(parsed YAML, name for messages) of `path`, or of the rules file `default_name`
    when path is None. OSError when unreadable; `error` for invalid YAML."""
    if path is None:
        text, origin = rules_file(default_name).read_text("utf-8"), default_name
    else:
        with open(path, encoding="utf-8") as handle:
            text, origin = handle.read(), os.fspath(path)
    try:
        return yaml.safe_load(text), origin
    except yaml.YAMLError as exc:
        raise error(f"{origin}: not valid YAML: {exc}") from None
