"""Perplexity: POST /rest/sse/perplexity_ask."""

from extract.json_walk import load_object, optional_object, str_field
from extract.model import Api, Found, Prompt, Reader, prompt_of
from extract.path import ROOT


def _perplexity(body: bytes, content_type: str | None) -> Prompt:
    data = load_object(body)
    found: list[Found] = list(str_field(data, "query_str", ROOT))
    params = optional_object(data, "params", ROOT)
    # params.attachments are URLs of files uploaded beforehand: references, not content.
    found.extend(str_field(params, "dsl_query", ROOT.key("params")))
    model = params.get("model_preference")
    return prompt_of(
        "perplexity_web", found, stream=True, model=model if isinstance(model, str) else None
    )


READERS: dict[Api, Reader] = {"perplexity_web": _perplexity}
