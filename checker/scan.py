"""Scan texts for the policy's data classes."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from presidio_analyzer import AnalyzerEngine, RecognizerResult

from checker.config import ScanConfig
from checker.engine import PATTERN_RECOGNIZER_PREFIX, TERM_RECOGNIZER_PREFIX, build_analyzer
from checker.findings import Finding
from checker.language import detect_language
from policy.entities import PATTERN_ENTITY, TERM_ENTITY

log = logging.getLogger(__name__)

# spaCy refuses texts over nlp.max_length (1,000,000 chars) and Presidio's cost grows
# with length, so long texts are scanned in overlapping windows. The overlap is
# larger than any single entity we detect (a PEM private key block is the longest).
WINDOW = 100_000
OVERLAP = 8_000


class Scanner:
    def __init__(self, config: ScanConfig, analyzer: AnalyzerEngine | None = None) -> None:
        self.config = config
        self.analyzer = analyzer or build_analyzer(config)
        self._class_of = config.class_of_entity()
        wanted = (
            self.config.entities()
            | ({TERM_ENTITY} if any(r.terms for r in config.classes.values()) else set())
            | ({PATTERN_ENTITY} if any(r.patterns for r in config.classes.values()) else set())
        )
        supported = set(self.analyzer.get_supported_entities(config.languages[0]))
        self.undetected = sorted(wanted - supported)
        if self.undetected:
            # Said once here instead of by Presidio on every analyze() call.
            log.warning("no recognizer yet for policy entity types: %s", ", ".join(self.undetected))
        self._entities = sorted(wanted & supported)
        self._threshold = min((r.min_score for r in config.classes.values()), default=0.5)

    def scan(self, texts: Sequence[str]) -> list[Finding]:
        findings: list[Finding] = []
        for part, text in enumerate(texts):
            findings.extend(self.scan_text(text, part))
        return findings

    def scan_text(self, text: str, part: int = 0, explain: bool = False) -> list[Finding]:
        if not text.strip() or not self._entities:
            return []
        results: list[RecognizerResult] = []
        language = detect_language(text, default=self.config.languages[0])
        if language not in self.config.languages:
            language = self.config.languages[0]
        for offset, window in _windows(text):
            for r in self.analyzer.analyze(
                window,
                language=language,
                entities=self._entities,
                score_threshold=self._threshold,
                return_decision_process=explain,
            ):
                r.start += offset
                r.end += offset
                results.append(r)
        findings = [f for r in results if (f := self._finding(r, text, part)) is not None]
        return _drop_contained(_dedupe(findings))

    def _finding(self, result: RecognizerResult, text: str, part: int) -> Finding | None:
        data_class = self._data_class(result)
        if data_class is None or result.score < self.config.classes[data_class].min_score:
            return None
        return Finding(
            entity_type=result.entity_type,
            data_class=data_class,
            start=result.start,
            end=result.end,
            score=float(result.score),
            part=part,
            value=text[result.start : result.end],
            explanation=_explanation(result),
        )

    def _data_class(self, result: RecognizerResult) -> str | None:
        recognizer = (result.recognition_metadata or {}).get("recognizer_name", "")
        for prefix in (TERM_RECOGNIZER_PREFIX, PATTERN_RECOGNIZER_PREFIX):
            if recognizer.startswith(prefix):
                return recognizer.removeprefix(prefix)
        return self._class_of.get(result.entity_type)


def _windows(text: str) -> list[tuple[int, str]]:
    if len(text) <= WINDOW:
        return [(0, text)]
    step = WINDOW - OVERLAP
    return [(start, text[start : start + WINDOW]) for start in range(0, len(text) - OVERLAP, step)]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Windows overlap, so the same span can be found twice; keep the best score."""
    best: dict[tuple[str, int, int, int], Finding] = {}
    for f in findings:
        key = (f.entity_type, f.part, f.start, f.end)
        if key not in best or f.score > best[key].score:
            best[key] = f
    return sorted(best.values(), key=lambda f: (f.part, f.start, -f.end))


def _drop_contained(findings: list[Finding]) -> list[Finding]:
    """Drop a finding that lies inside another, stronger finding of another type.

    A phone-number or tax-id shape inside an IBAN is the IBAN, not a second finding.
    """
    kept: list[Finding] = []
    open_: list[Finding] = []  # earlier findings that may still contain later ones
    for f in findings:  # sorted by (part, start, -end)
        open_ = [o for o in open_ if o.part == f.part and o.end > f.start]
        inside = any(
            o.entity_type != f.entity_type
            and f.end <= o.end
            and (o.end - o.start) > (f.end - f.start)
            and o.score >= f.score
            for o in open_
        )
        if not inside:
            kept.append(f)
        open_.append(f)
    return kept


def _explanation(result: RecognizerResult) -> dict[str, Any] | None:
    """Presidio's decision process for one result, in a stable, value-free shape."""
    exp = result.analysis_explanation
    if exp is None:
        return None
    validation = exp.validation_result
    return {
        "recognizer": exp.recognizer,
        "pattern_name": exp.pattern_name,
        "pattern": exp.pattern,
        "original_score": round(float(exp.original_score), 4),
        "context_word": exp.supportive_context_word or None,
        "context_improvement": round(float(exp.score_context_improvement), 4),
        "checksum": None if validation is None else ("valid" if validation else "invalid"),
    }
