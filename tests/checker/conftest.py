"""Shared fixtures for recognizer tests: a real AnalyzerEngine on a blank German spaCy."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, cast

import pytest
import spacy
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import SpacyNlpEngine

# Nothing here should touch tldextract; if anything does, it must not fetch.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

THRESHOLD = 0.5  # the engine's default score threshold

Found = list[tuple[str, str, float]]  # (entity_type, text[start:end], score)


class _BlankEngine(SpacyNlpEngine):
    """spacy.blank("de") plus the lookup lemmatizer: no NER model, no download."""

    def __init__(self) -> None:
        super().__init__(models=[{"lang_code": "de", "model_name": "blank"}])

    def load(self) -> None:
        nlp = spacy.blank("de")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()  # the lookup table comes from spacy-lookups-data, offline
        self.nlp = cast(Any, {"de": nlp})  # Presidio annotates nlp as None


@pytest.fixture(scope="session")
def blank_nlp_engine() -> SpacyNlpEngine:
    engine = _BlankEngine()
    engine.load()
    return engine


@pytest.fixture(scope="session")
def make_analyzer(
    blank_nlp_engine: SpacyNlpEngine,
) -> Callable[..., AnalyzerEngine]:
    """Build an AnalyzerEngine that runs only the given recognizer(s), language "de"."""

    def build(*recognizers: EntityRecognizer) -> AnalyzerEngine:
        registry = RecognizerRegistry(recognizers=list(recognizers), supported_languages=["de"])
        return AnalyzerEngine(
            nlp_engine=blank_nlp_engine, registry=registry, supported_languages=["de"]
        )

    return build


@pytest.fixture(scope="session")
def make_detector(
    make_analyzer: Callable[[EntityRecognizer], AnalyzerEngine],
) -> Callable[[EntityRecognizer], Callable[..., Found]]:
    """Return ``detect(text, threshold=0.5)`` -> [(entity, text[start:end], score)]."""

    def build(recognizer: EntityRecognizer) -> Callable[..., Found]:
        analyzer = make_analyzer(recognizer)

        def detect(text: str, threshold: float = THRESHOLD) -> Found:
            results = sorted(analyzer.analyze(text, language="de"), key=lambda r: r.start)
            return [
                (r.entity_type, text[r.start : r.end], r.score)
                for r in results
                if r.score >= threshold
            ]

        return detect

    return build
