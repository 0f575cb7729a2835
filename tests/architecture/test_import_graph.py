"""The import graph has no cycles, and packages import only downwards.

docs/architecture.md draws the layers; this test keeps them. Any import counts, also
inside functions and under TYPE_CHECKING.
"""

from __future__ import annotations

import pytest

from tests.architecture.graph import graph, packages

# What each package may import of the first-party ones (itself always). Libraries never
# import mitmproxy; only proxy_addon/ (the addons), cli/ and bench/ may.
ALLOWED: dict[str, set[str]] = {
    "rules": set(),
    "policy": {"rules"},
    "checker": {"policy", "rules"},
    "extract": {"policy", "rules"},
    "answers": {"extract", "policy", "rules"},
    "redaction": {"checker", "extract", "policy", "rules"},
    "pipeline": {"checker", "extract", "policy", "rules"},
    "store": {"checker", "policy", "rules"},
    "siem": {"store", "checker", "policy", "rules"},
    "review": {"store", "checker", "policy", "rules"},
    "report": {"store", "checker", "policy", "rules"},
    "notify": {"review", "store", "checker", "policy", "rules"},
    "proxy_addon": {
        "answers",
        "checker",
        "extract",
        "pipeline",
        "policy",
        "redaction",
        "rules",
        "siem",
        "store",
    },
    "bench": {"proxy_addon", "review", "store", "checker", "policy", "rules"},
    "cli": set(packages()),
}
MITMPROXY_ALLOWED = {"proxy_addon", "cli", "bench"}


def test_every_package_has_a_layer() -> None:
    assert set(packages()) == set(ALLOWED)


def test_no_import_cycles() -> None:
    assert graph().cycles() == []


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_packages_import_only_downwards(package: str) -> None:
    g = graph()
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in g.edges.items()
        if g.package_of(module) == package
        for target in targets
        if g.package_of(target) not in ALLOWED[package] | {package}
    )
    assert wrong == []


@pytest.mark.parametrize("package", sorted(set(ALLOWED) - MITMPROXY_ALLOWED))
def test_libraries_never_import_mitmproxy(package: str) -> None:
    g = graph()
    wrong = sorted(
        m for m, tops in g.tops.items() if g.package_of(m) == package and "mitmproxy" in tops
    )
    assert wrong == []


def test_proxy_addon_holds_addons_only() -> None:
    """Every module of proxy_addon/ uses mitmproxy (an addon, or the entry point that
    lists them): libraries belong in the packages named for what they do."""
    g = graph()
    libraries = sorted(
        m
        for m, tops in g.tops.items()
        if g.package_of(m) == "proxy_addon" and m != "proxy_addon" and "mitmproxy" not in tops
    )
    assert libraries in ([], ["proxy_addon.leitplanke_addon"])


def test_the_graph_sees_a_cycle() -> None:
    """The checker itself: a two-module cycle is reported."""
    g = graph()
    probe = type(g)(modules={"a": g.modules["policy"], "b": g.modules["policy"]})
    probe.edges = {"a": {"b"}, "b": {"a"}}
    assert probe.cycles() == [["a", "b"]]
