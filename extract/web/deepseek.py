"""DeepSeek: POST /api/v0/chat/completion."""

from extract.json_walk import load_object, str_field
from extract.model import Api, Prompt, Reader, prompt_of
from extract.path import ROOT


def _deepseek(body: bytes, content_type: str | None) -> Prompt:
    data = load_object(body)
    # ref_file_ids: files uploaded beforehand (scanned at upload, if seen).
    found = list(str_field(data, "prompt", ROOT))
    return prompt_of("deepseek_web", found, stream=True, model=None)


READERS: dict[Api, Reader] = {"deepseek_web": _deepseek}
