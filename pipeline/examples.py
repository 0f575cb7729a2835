"""Run a policy's own `examples:` against the real checker and decision function."""

from __future__ import annotations

from dataclasses import dataclass

from checker.findings import Finding
from checker.scan import Scanner
from policy.decide import Decision, decide
from policy.model import Example, Policy


@dataclass(frozen=True)
class ExampleResult:
    index: int
    example: Example
    service: str
    decision: Decision
    findings: tuple[Finding, ...]

    @property
    def passed(self) -> bool:
        return self.decision.action == self.example.expect


def example_service(policy: Policy, example: Example) -> str:
    """The catalog service an example is sent to (a tool's first service)."""
    if example.service is not None:
        return example.service
    assert example.tool is not None  # the model guarantees one of the two
    return policy.tools[example.tool].services[0]


def run_examples(policy: Policy, scanner: Scanner) -> list[ExampleResult]:
    results = []
    for index, example in enumerate(policy.examples):
        service = example_service(policy, example)
        findings = tuple(scanner.scan_text(example.text))
        decision = decide(policy, service, example.group, findings)
        results.append(ExampleResult(index, example, service, decision, findings))
    return results
