"""Extract the peer suite's cases from pinned commits of Presidio and python-stdnum.

    python -m tests.peers.build --presidio GIT_DIR --stdnum GIT_DIR [--check]

GIT_DIR is a clone (or bare git directory) of https://github.com/microsoft/presidio and
https://github.com/arthurdejong/python-stdnum that contains the pinned commits below;
files are read with ``git show COMMIT:PATH``, nothing is imported or run. The output is
test data only (tests/peers/*.json, never shipped in the package):

- ``presidio.json``: every ``pytest.mark.parametrize`` row of the recognizer tests in
  PRESIDIO_FILES that runs ``analyze()`` (text, expected number of results, expected
  spans and scores) or ``validate_result()`` (number, True/False/None), as written.
  Rows are read with ``ast`` (literals, module constants and f-strings without fields).
- ``stdnum.json``: the numbers of python-stdnum's doctests in STDNUM_FILES (the
  "found online" and registry lists, the lists of mangled numbers, and single
  ``validate()``/``is_valid()`` calls) with the verdict the doctest asserts.

The files are faithful to the source: which cases are debatable and what Leitplanke
does with them is decided in checker/evaluation/peer_rules.py, not here. ``--check``
rebuilds and fails if the committed files differ.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent

PRESIDIO_REPO = "https://github.com/microsoft/presidio"
# main on 2026-07-02 ("Correct de_fuehrerschein docstring ...", #2138).
PRESIDIO_COMMIT = "0aa9f8e44275cb52c00fbbebe19168e934e1f076"
PRESIDIO_TESTS = "presidio-analyzer/tests/"
# Every German recognizer's tests, and the generic ones for types Leitplanke emits.
PRESIDIO_FILES = (
    "test_de_bsnr_recognizer.py",
    "test_de_fuehrerschein_recognizer.py",
    "test_de_handelsregister_recognizer.py",
    "test_de_health_insurance_recognizer.py",
    "test_de_id_card_recognizer.py",
    "test_de_kfz_recognizer.py",
    "test_de_lanr_recognizer.py",
    "test_de_passport_recognizer.py",
    "test_de_plz_recognizer.py",
    "test_de_social_security_recognizer.py",
    "test_de_tax_id_recognizer.py",
    "test_de_tax_number_recognizer.py",
    "test_de_vat_id_recognizer.py",
    "test_email_recognizer.py",
    "test_phone_recognizer.py",
    "test_iban_recognizer.py",
    "test_credit_card_recognizer.py",
    "test_ip_recognizer.py",
)

STDNUM_REPO = "https://github.com/arthurdejong/python-stdnum"
# Tag 2.2, the release Leitplanke validates with (python-stdnum 2.2).
STDNUM_COMMIT = "52d316200c347b4f3d2b61a77ce746f3d28a3815"
# path -> the stdnum module whose verdicts the file asserts; `only` keeps the German
# numbers of the multi-country VAT files.
STDNUM_FILES: dict[str, dict[str, Any]] = {
    "tests/test_iban.doctest": {"module": "iban"},
    "tests/test_be_iban.doctest": {"module": "be.iban", "slice": 24},
    "tests/test_eu_vat.doctest": {"module": "eu.vat", "only": "DE"},
    "tests/test_vatin.doctest": {"module": "vatin", "only": "DE"},
    "tests/test_de_idnr.doctest": {"module": "de.idnr"},
    "tests/test_de_stnr.doctest": {"module": "de.stnr"},
    "stdnum/iban.py": {"module": "iban"},
    "stdnum/de/idnr.py": {"module": "de.idnr"},
    "stdnum/de/stnr.py": {"module": "de.stnr"},
    "stdnum/de/vat.py": {"module": "de.vat"},
}

PRESIDIO_NOTE = (
    "Test data only, never shipped in the leitplanke package. Extracted by "
    "tests/peers/build.py from the recognizer tests of Presidio at the commit above; "
    "the rows are Presidio's, unchanged. Presidio is MIT-licensed; its notice follows."
)
STDNUM_NOTE = (
    "Test data only, never shipped in the leitplanke package. Extracted by "
    "tests/peers/build.py from the doctests of python-stdnum at the commit above; the "
    "numbers and verdicts are python-stdnum's, unchanged. python-stdnum is licensed "
    "under the GNU Lesser General Public License 2.1 or later; the copyright lines of "
    "the files the numbers come from follow."
)


class BuildError(Exception):
    pass


def git_show(git_dir: Path, commit: str, path: str) -> str:
    done = subprocess.run(
        ["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BuildError(
            f"{git_dir}: cannot read {path} at {commit[:12]} — is it a clone of the right "
            "repository with that commit? (git fetch, or pass the clone's path)"
        )
    return done.stdout


def git_dir_of(path: Path) -> Path:
    dotgit = path / ".git"
    return dotgit if dotgit.exists() else path


# --- Presidio: parametrize rows -------------------------------------------------------


class _Unsupported(ValueError):
    pass


def _literal(node: ast.expr, names: dict[str, Any]) -> Any:
    """A literal with module constants resolved; f-strings only without fields."""
    match node:
        case ast.Constant(value=value):
            return value
        case ast.Tuple(elts=elts) | ast.List(elts=elts):
            return [_literal(e, names) for e in elts]
        case ast.Name(id=name) if name in names:
            return names[name]
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            return -_literal(operand, names)
        case ast.JoinedStr(values=values) if all(isinstance(v, ast.Constant) for v in values):
            return "".join(str(v.value) for v in values if isinstance(v, ast.Constant))
    raise _Unsupported(ast.dump(node))


def _module_constants(tree: ast.Module) -> dict[str, Any]:
    names: dict[str, Any] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name):
                with contextlib.suppress(_Unsupported):
                    names[target.id] = _literal(stmt.value, names)
    return names


def _fixture_entities(tree: ast.Module) -> list[str]:
    """The list the ``entities`` fixture returns (the entity a file tests)."""
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == "entities":
            for node in ast.walk(stmt):
                if isinstance(node, ast.Return) and node.value is not None:
                    value = _literal(node.value, {})
                    return [str(v) for v in value]
    return []


def _parametrize(func: ast.FunctionDef) -> tuple[list[str], ast.List] | None:
    for deco in func.decorator_list:
        if (
            isinstance(deco, ast.Call)
            and isinstance(deco.func, ast.Attribute)
            and deco.func.attr == "parametrize"
            and len(deco.args) == 2
            and isinstance(deco.args[0], ast.Constant)
            and isinstance(deco.args[1], ast.List)
        ):
            names = [n.strip() for n in str(deco.args[0].value).split(",")]
            return names, deco.args[1]
    return None


def _configured_fixtures(tree: ast.Module) -> dict[str, str]:
    """Fixtures that build the recognizer with arguments: name -> the call, as source."""
    fixtures: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef):
            for node in ast.walk(stmt):
                if (
                    isinstance(node, ast.Return)
                    and isinstance(node.value, ast.Call)
                    and (node.value.args or node.value.keywords)
                ):
                    fixtures[stmt.name] = ast.unparse(node.value)
    return fixtures


def _mode(func: ast.FunctionDef, row: dict[str, Any], fixtures: dict[str, str]) -> str:
    """How the peer's test set up the recognizer, when it is not the default."""
    args = [a.arg for a in func.args.args]
    configured = [fixtures[a] for a in args if a in fixtures]
    if configured:
        return configured[0]
    if "leniency" in row:
        return f"leniency={row['leniency']}"
    return "default"


def _spans(row: dict[str, Any]) -> list[list[int]] | None:
    for key in ("expected_positions", "expected_res"):
        if key in row:
            return [[int(s), int(e)] for s, e in row[key]]
    if "expected_start" in row:
        return (
            [[int(row["expected_start"]), int(row["expected_end"])]] if row["expected_len"] else []
        )
    return None


def _scores(row: dict[str, Any]) -> list[list[float | str]] | None:
    """Expected score ranges per result ([low, high]; "max" = Presidio's MAX_SCORE)."""
    if "expected_score_ranges" in row:
        return [[lo, hi] for lo, hi in row["expected_score_ranges"]]
    for key in ("expected_score", "score"):
        if key in row and row[key] is not None:
            return [[row[key], row[key]]] * int(row.get("expected_len", 1))
    return None


def presidio_rows(path: str, source: str) -> list[dict[str, Any]]:
    tree = ast.parse(source)
    constants = _module_constants(tree)
    file_entities = _fixture_entities(tree)
    fixtures = _configured_fixtures(tree)
    rows: list[dict[str, Any]] = []
    for func in tree.body:
        if not isinstance(func, ast.FunctionDef):
            continue
        spec = _parametrize(func)
        if spec is None:
            continue
        names, values = spec
        text_key = next((k for k in ("text", "iban", "number") if k in names), None)
        if text_key is None:
            continue
        for element in values.elts:
            row = dict(zip(names, _literal(element, constants), strict=True))
            text = str(row[text_key])
            if not text:
                continue  # validate_result("") has no text to scan
            record: dict[str, Any] = {
                "path": PRESIDIO_TESTS + path,
                "line": element.lineno,
                "test": func.name,
                "mode": _mode(func, row, fixtures),
            }
            if "expected_len" in row:
                record["call"] = "analyze"
                record["expected_len"] = int(row["expected_len"])
                record["spans"] = _spans(row)
                record["scores"] = _scores(row)
                entities = row.get("entities") or file_entities
            elif "expected" in row and text_key == "number":
                record["call"] = "validate_result"
                record["expected"] = row["expected"]
                entities = file_entities
            else:
                continue
            record["entity"] = entities[0]
            rows.append({"text": text, **record})
    return rows


def build_presidio(git_dir: Path) -> dict[str, Any]:
    """One case per (entity, text); every row that tests it is kept as a record."""
    cases: dict[tuple[str, str], dict[str, Any]] = {}
    for name in PRESIDIO_FILES:
        source = git_show(git_dir, PRESIDIO_COMMIT, PRESIDIO_TESTS + name)
        for row in presidio_rows(name, source):
            text = row.pop("text")
            entity = row.pop("entity")
            case = cases.setdefault(
                (entity, text),
                {
                    "id": f"presidio:{name.removeprefix('test_').removesuffix('.py')}:"
                    f"{row['line']}",
                    "entity": entity,
                    "text": text,
                    "records": [],
                },
            )
            case["records"].append(row)
    licence = git_show(git_dir, PRESIDIO_COMMIT, "LICENSE")
    return {
        "source": "presidio",
        "repository": PRESIDIO_REPO,
        "commit": PRESIDIO_COMMIT,
        "licence": "MIT",
        "note": PRESIDIO_NOTE,
        "licence_notice": licence.strip().splitlines(),
        "cases": list(cases.values()),
    }


# --- python-stdnum: doctest numbers ---------------------------------------------------

_LIST_START = re.compile(r"""^>>> numbers = (?:'''|\"\"\")\s*$""")
_LIST_END = re.compile(r"""^\.\.\. (?:'''|\"\"\")\s*$""")
_CHECK = re.compile(r"^>>> .*numbers")
_CALL = re.compile(r"""^>>> (?:(\w+)\.)?(validate|is_valid)\('([^']*)'\)\s*(?:#.*)?$""")
_COPYRIGHT = re.compile(r"^(?:# )?Copyright \(C\) .+$")


def _list_verdict(checks: list[str]) -> tuple[bool, str] | None:
    """What the doctest asserts about the numbers of a list (valid?, how)."""
    full = [c for c in checks if "is_valid(x" in c and "check_country" not in c]
    caught = [c for c in checks if "caught(x," in c]
    if any(re.search(r"\bnot \w+\.is_valid\(x", c) for c in full):
        return True, "asserted valid"
    if full:
        return False, "asserted invalid"
    if caught:
        exception = re.search(r"caught\(x, (\w+)\)", caught[0])
        return False, f"raises {exception.group(1) if exception else 'an error'}"
    return None


def stdnum_numbers(path: str, source: str, spec: dict[str, Any]) -> list[dict[str, Any]]:
    lines = source.splitlines()
    found: list[dict[str, Any]] = []
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if _LIST_START.match(line):
            items: list[tuple[int, str]] = []
            i += 1
            while i < len(lines) and not _LIST_END.match(lines[i].strip()):
                value = lines[i].strip().removeprefix("...").strip()
                if value:
                    items.append((i + 1, value))
                i += 1
            checks = []
            j = i + 1
            while j < len(lines) and not _LIST_START.match(lines[j].strip()):
                if _CHECK.match(lines[j].strip()):
                    checks.append(lines[j].strip())
                j += 1
            verdict = _list_verdict(checks)
            if verdict is not None:
                for lineno, value in items:
                    number = value[: spec["slice"]].strip() if "slice" in spec else value
                    found.append(
                        {"number": number, "valid": verdict[0], "how": f"list, {verdict[1]}"}
                        | {"line": lineno}
                    )
        elif match := _CALL.match(line):
            _module, function, number = match.groups()
            answer = lines[i + 1].strip() if i + 1 < len(lines) else ""
            if function == "validate":
                valid = not answer.startswith("Traceback")
                how = "validate() returns it" if valid else "validate() raises"
            else:
                valid = answer == "True"
                how = f"is_valid() is {answer}"
            found.append({"number": number, "valid": valid, "how": how, "line": i + 1})
        i += 1
    only = spec.get("only")
    if only:
        found = [f for f in found if f["number"].upper().startswith(only)]
    return [{"path": path, "module": spec["module"], **f} for f in found]


def build_stdnum(git_dir: Path) -> dict[str, Any]:
    numbers: list[dict[str, Any]] = []
    copyright_lines: dict[str, list[str]] = {}
    for path, spec in STDNUM_FILES.items():
        source = git_show(git_dir, STDNUM_COMMIT, path)
        found = stdnum_numbers(path, source, spec)
        if found:
            numbers.extend(found)
            copyright_lines[path] = [
                m.group(0).removeprefix("# ")
                for line in source.splitlines()[:12]
                if (m := _COPYRIGHT.match(line.strip()))
            ]
    for index, number in enumerate(numbers):
        number["id"] = f"stdnum:{index:04d}"
    return {
        "source": "stdnum",
        "repository": STDNUM_REPO,
        "commit": STDNUM_COMMIT,
        "licence": "LGPL-2.1-or-later",
        "note": STDNUM_NOTE,
        "copyright": copyright_lines,
        "numbers": numbers,
    }


def _dump(data: dict[str, Any]) -> str:
    """The header indented, then one case per line (reviewable diffs, small file)."""
    key = "cases" if "cases" in data else "numbers"
    head = json.dumps({k: v for k, v in data.items() if k != key}, ensure_ascii=False, indent=1)
    rows = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in data[key])
    return head[:-2] + f',\n "{key}": [\n{rows}\n ]\n}}\n'


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presidio", type=Path, required=True, help="git dir of presidio")
    parser.add_argument("--stdnum", type=Path, required=True, help="git dir of python-stdnum")
    parser.add_argument("--check", action="store_true", help="fail if the files are stale")
    args = parser.parse_args(argv)
    try:
        outputs = {
            HERE / "presidio.json": _dump(build_presidio(git_dir_of(args.presidio))),
            HERE / "stdnum.json": _dump(build_stdnum(git_dir_of(args.stdnum))),
        }
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    stale = [p for p, text in outputs.items() if not p.exists() or p.read_text("utf-8") != text]
    if args.check:
        for path in stale:
            print(f"{path}: stale, rebuild with python -m tests.peers.build", file=sys.stderr)
        return 1 if stale else 0
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
