"""Data, not code: the AI service catalog and message templates (YAML files here)."""

from importlib import resources
from importlib.resources.abc import Traversable


def rules_file(name: str) -> Traversable:
    return resources.files(__name__).joinpath(name)
