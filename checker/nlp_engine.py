"""spaCy for Presidio without downloads.

By default each language runs on `spacy.blank(lang)` plus the lookup lemmatizer
from spacy-lookups-data (tokens and lemmas for context words, no NER). When a
real pipeline (de_core_news_*, en_core_web_*) is installed, it is used instead
and its NER results feed Presidio's SpacyRecognizer. Presidio's own engines
call `spacy.cli.download` for missing models; this one never does.
"""

from __future__ import annotations

import logging
from typing import Any, cast

import spacy
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
from spacy.language import Language

log = logging.getLogger(__name__)

# Preferred installed models per language, largest first.
MODEL_CANDIDATES: dict[str, tuple[str, ...]] = {
    "de": ("de_core_news_lg", "de_core_news_md", "de_core_news_sm"),
    "en": ("en_core_web_lg", "en_core_web_md", "en_core_web_sm"),
}

BLANK = "blank"


def installed_model(lang: str) -> str | None:
    for name in MODEL_CANDIDATES.get(lang, ()):
        if spacy.util.is_package(name):
            return name
    return None


def blank_pipeline(lang: str) -> Language:
    nlp = spacy.blank(lang)
    try:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
    except (ValueError, OSError) as exc:  # no lookup table for this language
        log.warning(
            "no lookup lemmatizer for %s (%s); context words match surface forms", lang, exc
        )
        nlp = spacy.blank(lang)
    return nlp


class OfflineSpacyNlpEngine(SpacyNlpEngine):
    """A SpacyNlpEngine whose `load` uses installed models or blank pipelines only."""

    def __init__(self, languages: tuple[str, ...] = ("de",), use_models: bool = True) -> None:
        models = [
            {
                "lang_code": lang,
                "model_name": (installed_model(lang) if use_models else None) or BLANK,
            }
            for lang in languages
        ]
        super().__init__(
            models=models,
            ner_model_configuration=NerModelConfiguration(
                labels_to_ignore=["MISC", "ORG", "ORGANIZATION", "NORP", "CARDINAL", "ORDINAL"]
            ),
        )

    def has_ner_for(self, lang: str) -> bool:
        """A real (NER-capable) model is loaded for `lang`."""
        return any(m["lang_code"] == lang and m["model_name"] != BLANK for m in self.models)

    def load(self) -> None:
        pipelines: dict[str, Language] = {}
        for model in self.models:
            lang, name = model["lang_code"], model["model_name"]
            if name == BLANK:
                pipelines[lang] = blank_pipeline(lang)
            else:
                log.info("using installed spaCy model %s for %s", name, lang)
                pipelines[lang] = spacy.load(name, disable=["parser"])
        self.nlp = cast(Any, pipelines)  # the base class declares it as None
