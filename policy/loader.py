"""Load a policy YAML file and turn every problem into `file:line:column: what — fix`."""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import ValidationError

from policy.model import Policy
from rules.strict_yaml import DuplicateKeyError, StrictLoader, load_yaml

DEFAULT_POLICY_NAME = "examples/default.de.yaml"

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text


class ProblemsError(Exception):
    """A YAML file is invalid; `problems` says where and why, one line each."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class PolicyError(ProblemsError):
    """The policy could not be loaded."""


@dataclass(frozen=True)
class LoadedPolicy:
    policy: Policy
    source: str  # file path, or "<embedded default>"
    text: str
    # Policy's own `version` plus a content digest: two edits of "version: 1" differ.
    version_id: str
    # Where each key and list item stands in the file, for located warnings.
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict, repr=False, compare=False)

    def problem(self, path: Path_, message: str, hint: str = "") -> Problem:
        """A Problem located at `path` (or its nearest existing parent) in this file."""
        line, column = self.marks.get(located(self.marks, path), (1, 1))
        return Problem(self.source, line, column, message, hint)


def load_policy(path: str | Path | None = None) -> LoadedPolicy:
    """Load `path`, or the embedded default policy when `path` is None."""
    if path is None:
        text = resources.files("policy").joinpath(DEFAULT_POLICY_NAME).read_text("utf-8")
        return parse_policy(text, "<embedded default>")
    file = Path(path)
    try:
        text = read_text(file, "policy")
    except YamlFileError as exc:
        raise PolicyError([exc.problem]) from exc
    return parse_policy(text, str(file))


class YamlFileError(Exception):
    """A YAML file cannot be read or is no YAML; `problem` says where and what to do."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def read_text(path: Path, what: str) -> str:
    """A YAML file's text (`what`: "policy", "config" — for the message)."""
    try:
        return path.read_text("utf-8")
    except OSError as exc:
        raise YamlFileError(
            Problem(str(path), 1, 1, f"cannot read {what}: {exc.strerror}")
        ) from exc
    except UnicodeDecodeError as exc:
        raise YamlFileError(
            Problem(str(path), 1, 1, f"{what} is not UTF-8 text", "save the file as UTF-8")
        ) from exc


def read_yaml(text: str, source: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for `yaml_marks`) and the data of a YAML text, safely; a text that
    is no YAML or writes a key twice in one mapping (PyYAML would keep the last one
    silently) raises YamlFileError with file:line:column and a fix (policies and the
    gateway's config file)."""
    try:
        return yaml.compose(text, Loader=StrictLoader), load_yaml(text)
    except DuplicateKeyError as exc:
        raise YamlFileError(
            Problem(source, exc.line, exc.column, str(exc.problem), exc.hint)
        ) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlFileError(
            Problem(
                source,
                line,
                column,
                f"YAML syntax error: {exc.problem or exc}",
                "check indentation and quote values that contain ':' or '#'",
            )
        ) from exc
    except yaml.reader.ReaderError as exc:  # a control character: no mark, a position
        line, column = line_column(text, exc.position)
        raise YamlFileError(
            Problem(
                source,
                line,
                column,
                f"YAML syntax error: character #x{exc.character:04x} is not allowed",
                "remove the control character; save the file as UTF-8 text",
            )
        ) from exc
    except RecursionError:  # PyYAML composes recursively; its parser is not recursive
        raise YamlFileError(_too_deep(text, source)) from None
    except yaml.YAMLError as exc:  # any other error PyYAML may raise
        raise YamlFileError(Problem(source, 1, 1, f"not valid YAML: {type(exc).__name__}")) from exc


def parse_policy(text: str, source: str) -> LoadedPolicy:
    try:
        node, data = read_yaml(text, source)
    except YamlFileError as exc:
        raise PolicyError([exc.problem]) from exc
    if not isinstance(data, dict):
        raise PolicyError(
            [
                Problem(
                    source,
                    1,
                    1,
                    "a policy must be a YAML mapping (key: value lines)",
                    "start with 'version: 1', 'organization: …', 'contact: …'",
                )
            ]
        )
    marks, flows = yaml_marks(node)
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError([_problem(source, marks, flows, err) for err in exc.errors()]) from exc
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return LoadedPolicy(policy, source, text, f"{policy.version}@{digest}", marks)


_MAX_NESTING = 100  # a policy needs fewer than 10 levels


def line_column(text: str, position: int) -> tuple[int, int]:
    """1-based (line, column) of a character index, counting lines as YAML does."""
    before = re.split(r"\r\n|[\r\n\x85\u2028\u2029]", text[:position])
    return len(before), len(before[-1]) + 1


def _too_deep(text: str, source: str) -> Problem:
    """Where the YAML first nests more than _MAX_NESTING collections."""
    line, column, depth = 1, 1, 0
    try:
        for event in yaml.parse(text, Loader=StrictLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > _MAX_NESTING:
                    if event.start_mark is not None:
                        line, column = event.start_mark.line + 1, event.start_mark.column + 1
                    break
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass
    return Problem(
        source,
        line,
        column,
        f"YAML is nested too deeply (more than {_MAX_NESTING} levels)",
        "a policy or config file needs only a few levels of indentation",
    )


def yaml_marks(node: yaml.Node | None) -> tuple[dict[Path_, tuple[int, int]], set[Path_]]:
    """Every key/item path's 1-based (line, column), and the paths of {…} mappings."""
    marks: dict[Path_, tuple[int, int]] = {}
    flows: set[Path_] = set()
    stack: list[tuple[yaml.Node, Path_]] = [(node, ())] if node is not None else []
    walked: set[int] = set()
    while stack:
        current, path = stack.pop()
        if id(current) in walked:
            # An alias: its node is walked once, where the anchor stands. Walking it again
            # per alias is exponential for nested aliases ("billion laughs").
            continue
        walked.add(id(current))
        if isinstance(current, yaml.MappingNode):
            if current.flow_style:
                flows.add(path)
            for key_node, value_node in current.value:
                child = (*path, str(key_node.value))
                marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                stack.append((value_node, child))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                child = (*path, index)
                marks[child] = (item.start_mark.line + 1, item.start_mark.column + 1)
                stack.append((item, child))
    return marks, flows


def located(marks: dict[Path_, tuple[int, int]], path: Path_) -> Path_:
    """The longest prefix of `path` that names a real place in the file.

    Pydantic adds segments the file does not have: union members ("int", "str") and
    fields of a short form (`patterns: ['KD-\\d+']` is validated as `{regex: …}`).
    """
    for end in range(len(path), 0, -1):
        if path[:end] in marks:
            return path[:end]
    return ()


def _problem(
    source: str, marks: dict[Path_, tuple[int, int]], flows: set[Path_], err: Any
) -> Problem:
    loc: Path_ = tuple(err["loc"])
    ctx = err.get("ctx") or {}
    kind = err["type"]
    path = (*loc, *ctx.get("where", ()))
    found = located(marks, path)
    line, column = marks.get(found, (1, 1))
    if kind not in ("missing", "extra_forbidden"):
        path = found  # name only what the author wrote
    dotted = ".".join(str(p) for p in path) or "(top level)"
    if kind == "extra_forbidden":
        if err.get("input") is None and loc[:-1] in flows:
            # `{de: Word, Outlook und Teams}`: in a {…} mapping a comma starts a new key.
            hint = "a comma inside {…} starts a new key — put the text in quotes"
        else:
            hint = did_you_mean(str(loc[-1]), _field_names(loc[:-1]), "allowed keys")
        return Problem(source, line, column, f"unknown key {dotted!r}", hint)
    if kind == "missing":
        return Problem(
            source, line, column, f"missing required key {dotted!r}", f"add '{loc[-1]}: …'"
        )
    hint = ""
    if ctx.get("choices"):
        hint = did_you_mean(str(ctx.get("value", "")), ctx["choices"], "known values")
    elif kind == "literal_error" and isinstance(err.get("input"), str):
        # The message already lists the choices; add a hint only for a near miss.
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        close = difflib.get_close_matches(err["input"], choices, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else ""
    message = err["msg"].removeprefix("Value error, ")
    return Problem(source, line, column, f"{dotted}: {message}", hint)


def did_you_mean(word: str, choices: list[str], what: str) -> str:
    # A prefix ("EMAIL" → EMAIL_ADDRESS) is as good a hint as a near spelling.
    prefixed = [c for c in choices if word and c.casefold().startswith(word.casefold())]
    close = prefixed or difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    listed = ", ".join(sorted(choices)[:12])
    return f"{what}: {listed}" if listed else ""


def _field_names(loc: Path_) -> list[str]:
    """Field names of the model that sits at `loc` (for 'did you mean')."""
    model: Any = Policy
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            # A dict value (data_classes.<name>): keep the dict's value model.
            continue
        model = _model_in(field.annotation)
    return sorted(model.model_fields) if hasattr(model, "model_fields") else []


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside `X`, `X | None` or `dict[str, X]`."""
    if hasattr(annotation, "model_fields"):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
