"""Which spaCy model a language would use, asked without importing spaCy.

The gateway's pre-check needs the answer too (a real model's NER finds names anywhere,
so the prefilter is off), and the gateway process must not import spaCy.
"""

from __future__ import annotations

from importlib import metadata

MODEL_CANDIDATES: dict[str, tuple[str, ...]] = {
    "de": ("de_core_news_lg", "de_core_news_md", "de_core_news_sm"),
    "en": ("en_core_web_lg", "en_core_web_md", "en_core_web_sm"),
}


def installed_model(lang: str) -> str | None:
    """The best installed model package for `lang` (what spacy.util.is_package asks:
    is there a distribution of that name)."""
    for name in MODEL_CANDIDATES.get(lang, ()):
        try:
            metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        return name
    return None
