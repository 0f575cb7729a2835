"""YAML loading that refuses duplicate keys.

PyYAML (like most YAML libraries) silently keeps the last of two equal keys in a
mapping. In a policy that turns a mistake into a weaker rule without a word: a second
`personal: warn` under `on_violation` overrides the `personal: block` above it, a
second `tools:` drops every approval of the first. Every YAML file the project reads
goes through `load_yaml` (ruff's banned-api rule in pyproject.toml enforces it), so a
duplicate is an error with the line of both keys.

YAML merge keys (`<<: *defaults`) keep their meaning: keys of the own mapping override
merged ones; only two keys written in the same mapping are a duplicate.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode

MERGE_TAG = "tag:yaml.org,2002:merge"


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """A mapping holds the same key twice; `problem_mark` is the second one."""

    def __init__(self, key: object, first: yaml.Mark, second: yaml.Mark) -> None:
        self.key = key
        self.first_line = first.line + 1
        where = f"line {self.first_line}"
        if first.line == second.line:  # {a: 1, a: 2}
            where += f", column {first.column + 1}"
        super().__init__(None, None, f"duplicate key {key!r} (first at {where})", second)

    @property
    def line(self) -> int:
        return self.problem_mark.line + 1 if self.problem_mark else 1

    @property
    def column(self) -> int:
        return self.problem_mark.column + 1 if self.problem_mark else 1

    hint = "remove one of them"

    def located(self, source: str) -> str:
        """One line: `source:line:column: duplicate key 'x' (first at line N) — fix`."""
        return f"{source}:{self.line}:{self.column}: {self.problem} — {self.hint}"


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that raises DuplicateKeyError for a key written twice in a mapping."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._checked: set[int] = set()

    def flatten_mapping(self, node: MappingNode) -> None:
        # Check before PyYAML applies merge keys: afterwards the merged keys and the ones
        # that override them sit side by side. PyYAML flattens a merged mapping again
        # each time it is merged, so each node is checked once, in its written form.
        if id(node) not in self._checked:
            self._checked.add(id(node))
            self._refuse_duplicates(node)
        super().flatten_mapping(node)

    def _refuse_duplicates(self, node: MappingNode) -> None:
        seen: dict[object, yaml.Mark] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == MERGE_TAG:
                continue  # complex keys are rare; PyYAML refuses unhashable ones itself
            # Compare constructed keys: `1` and `01`, `yes` and `true` are one key.
            key = self.construct_object(key_node)
            try:
                first = seen.setdefault(key, key_node.start_mark)
            except TypeError:  # unhashable: PyYAML reports it while constructing
                continue
            if first is not key_node.start_mark:
                raise DuplicateKeyError(key, first, key_node.start_mark)


def load_yaml(text: str) -> Any:
    """The data of one YAML document, loaded safely; DuplicateKeyError (a
    yaml.MarkedYAMLError) when a mapping holds a key twice."""
    return yaml.load(text, Loader=StrictLoader)
