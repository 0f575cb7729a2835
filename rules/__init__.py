"""Data, not code: the AI service catalog and message templates (YAML files here)."""

import os
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from rules.strict_yaml import DuplicateKeyError, load_yaml


def rules_file(name: str) -> Traversable:
    return resources.files(__name__).joinpath(name)


def rules_yaml(name: str) -> Any:
    """A YAML file shipped in rules/, parsed (callers cache what they keep)."""
    return read_rules_yaml(None, name, ValueError)[0]


def read_rules_yaml(
    path: str | os.PathLike[str] | None, default_name: str, error: type[Exception]
) -> tuple[Any, str]:
    """(parsed YAML, name for messages) of `path`, or of the rules file `default_name`
    when path is None. OSError when unreadable; `error` (one line, file:line:column)
    for invalid YAML or a key written twice."""
    if path is None:
        text, origin = rules_file(default_name).read_text("utf-8"), default_name
    else:
        with open(path, encoding="utf-8") as handle:
            text, origin = handle.read(), os.fspath(path)
    try:
        return load_yaml(text), origin
    except DuplicateKeyError as exc:
        raise error(exc.located(origin)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{origin}:{mark.line + 1}:{mark.column + 1}" if mark else origin
        raise error(f"{where}: not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise error(f"{origin}: not valid YAML: {first}") from None
