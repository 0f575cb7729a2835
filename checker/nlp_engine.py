"""spaCy for Presidio without downloads.

By default each language runs on `spacy.blank(lang)` plus the lookup lemmatizer
from spacy-lookups-data (tokens and lemmas for context words, no NER). When a
real pipeline (de_core_news_*, en_core_web_*) is installed, it is used instead
and its NER results feed Presidio's SpacyRecognizer. Presidio's own engines
call `spacy.cli.download` for missing models; this one never does.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Collection
from importlib import resources
from typing import Any, cast

import ahocorasick
import spacy
import srsly
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
from spacy.language import Language
from spacy.lookups import Lookups
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc

from checker.spacy_models import installed_model

log = logging.getLogger(__name__)

# Preferred installed models per language, largest first.
BLANK = "blank"

# spaCy's tokenizer strips prefixes and suffixes one at a time and searches the rest
# of the token again after each: a run without whitespace made of punctuation ("::::",
# "====", "!!!!", pasted minified data) costs time quadratic in its length (16,000
# colons: 19 s). Runs longer than this are tokenized in pieces of at most this many
# characters, cut after a non-word character where there is one (so words stay whole).
# Tokens only feed context words (and NER with a real model), and no context word is
# that long; the pieces bound the tokenizer's cost per character by a constant.
MAX_RUN = 64
_LONG_RUN = re.compile(rf"\S{{{MAX_RUN + 1},}}")
_LAST_NON_WORD = re.compile(r".*\W", re.DOTALL)  # greedy: ends after the last non-word


def run_cuts(text: str, limit: int = MAX_RUN) -> list[int]:
    """Where to cut `text` so that no piece has a run of more than `limit` characters
    without whitespace; [] when none is that long (the usual case)."""
    cuts: list[int] = []
    for run in _LONG_RUN.finditer(text):
        start, end = run.span()
        while end - start > limit:
            cut = _LAST_NON_WORD.match(text, start + limit // 2, start + limit)
            start = cut.end() if cut else start + limit
            cuts.append(start)
    return cuts


class BoundedTokenizer:
    """spaCy's tokenizer on pieces of the text when it has very long runs without
    whitespace (MAX_RUN), joined into one Doc with the same text; otherwise spaCy's
    tokenizer on the whole text, unchanged."""

    def __init__(self, tokenizer: Callable[[str], Doc]) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        cuts = run_cuts(text)
        if not cuts:
            return self.tokenizer(text)
        edges = [0, *cuts, len(text)]
        docs = [self.tokenizer(text[a:b]) for a, b in itertools.pairwise(edges)]
        return cast(Doc, Doc.from_docs(docs, ensure_whitespace=False))  # None only for []


def needed_lemmas(lang: str, context_words: Collection[str]) -> Lookups | None:
    """The part of spacy-lookups-data's lemma table that can change a context match.

    Lemmas serve Presidio's context enhancer only: it takes the non-stop-word lemmas
    around a match and looks for a recognizer's context word in them (substring). An
    entry whose word and lemma are both no stop word and contain no context word gives
    the same result as no entry (the lemma is then the word itself), so it is left out:
    ~3,500 of 355,000 German entries, ~110 MB less per worker process. None when there
    is no table for `lang`."""
    path = resources.files("spacy_lookups_data").joinpath("data", f"{lang}_lemma_lookup.json.gz")
    if not path.is_file():
        return None
    table: dict[str, str] = srsly.read_gzip_json(str(path))
    stop_words = spacy.util.get_lang_class(lang).Defaults.stop_words
    words = ahocorasick.Automaton()
    for word in {w.lower() for w in context_words if w}:
        words.add_word(word, word)
    if len(words):
        words.make_automaton()

    def matters(text: str) -> bool:
        text = text.lower()
        return text in stop_words or (len(words) > 0 and next(words.iter(text), None) is not None)

    lookups = Lookups()
    lookups.add_table(
        "lemma_lookup", {w: lemma for w, lemma in table.items() if matters(w) or matters(lemma)}
    )
    return lookups


def blank_pipeline(lang: str, context_words: Collection[str] | None = None) -> Language:
    """spacy.blank(lang) plus the lookup lemmatizer; with `context_words`, only the
    lemmas that can matter for them (`needed_lemmas`)."""
    nlp = spacy.blank(lang)
    nlp.tokenizer = BoundedTokenizer(nlp.tokenizer)
    try:
        lemmatizer = cast(Lemmatizer, nlp.add_pipe("lemmatizer", config={"mode": "lookup"}))
        lookups = needed_lemmas(lang, context_words) if context_words is not None else None
        if lookups is not None:
            lemmatizer.initialize(lookups=lookups)
        else:
            nlp.initialize()
    except (ValueError, OSError) as exc:  # no lookup table for this language
        log.warning(
            "no lookup lemmatizer for %s (%s); context words match surface forms", lang, exc
        )
        nlp = spacy.blank(lang)
        nlp.tokenizer = BoundedTokenizer(nlp.tokenizer)
    return nlp


class OfflineSpacyNlpEngine(SpacyNlpEngine):
    """A SpacyNlpEngine whose `load` uses installed models or blank pipelines only."""

    def __init__(
        self,
        languages: tuple[str, ...] = ("de",),
        use_models: bool = True,
        context_words: Collection[str] | None = None,
    ) -> None:
        # With the recognizers' context words, blank pipelines keep only the lemmas
        # that can matter for them (needed_lemmas); None keeps the whole table.
        self.context_words = context_words
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
                pipelines[lang] = blank_pipeline(lang, self.context_words)
            else:
                log.info("using installed spaCy model %s for %s", name, lang)
                pipelines[lang] = spacy.load(name, disable=["parser"])
                pipelines[lang].tokenizer = BoundedTokenizer(pipelines[lang].tokenizer)
        self.nlp = cast(Any, pipelines)  # the base class declares it as None
