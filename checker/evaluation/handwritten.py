"""The hand-written evaluation texts (handwritten.txt): a small check that is not the
generator's — written independently, in other words, so a score on it is less flattering."""

from __future__ import annotations

import re
from importlib import resources

from checker.evaluation.samples import Sample, Span

_MARK = re.compile(r"\[\[([A-Z_]+)\|(.+?)\]\]", re.DOTALL)


def parse(text: str) -> list[Sample]:
    samples: list[Sample] = []
    for block in re.split(r"^=== ", text, flags=re.MULTILINE)[1:]:
        head, _, body = block.partition("\n")
        kind, lang = head.split()
        plain, spans, last = [], [], 0
        length = 0
        for match in _MARK.finditer(body.strip("\n")):
            before = body.strip("\n")[last : match.start()]
            plain.append(before)
            length += len(before)
            value = match.group(2)
            spans.append(Span(match.group(1), length, length + len(value)))
            plain.append(value)
            length += len(value)
            last = match.end()
        plain.append(body.strip("\n")[last:])
        samples.append(Sample("".join(plain), tuple(spans), kind, lang))
    return samples


def handwritten() -> list[Sample]:
    text = resources.files("checker.evaluation").joinpath("handwritten.txt").read_text("utf-8")
    return parse(text)
