"""ChatGPT: POST /backend-api/conversation (also /f/conversation, /backend-anon/...)."""

from collections.abc import Iterator

from extract.json_walk import (
    as_object,
    load_object,
    model_field,
    optional_list,
    optional_object,
    str_field,
    text_part,
)
from extract.model import Api, ExtractError, Found, Prompt, Reader, prompt_of
from extract.path import ROOT, Path


def _chatgpt(body: bytes, content_type: str | None) -> Prompt:
    data = load_object(body)
    found: list[Found] = []
    for index, message in enumerate(optional_list(data, "messages", ROOT)):
        found.extend(_chatgpt_message(message, ROOT.key("messages").index(index)))
    # The answer always streams (SSE), whatever the body says; in the delta encoding
    # "v1" when the client lists it.
    return prompt_of(
        "chatgpt_web",
        found,
        stream=True,
        model=model_field(data),
        answer_encoding=_encoding(data),
    )


def _encoding(data: dict[str, object]) -> str | None:
    encodings = data.get("supported_encodings")
    if isinstance(encodings, list) and "v1" in encodings:
        return "v1"
    return None


def _chatgpt_message(message: object, where: Path) -> Iterator[Found]:
    msg = as_object(message, where)
    content = optional_object(msg, "content", where)
    at = where.key("content")
    for index, part in enumerate(optional_list(content, "parts", at)):
        # "text" and "multimodal_text": strings, and objects such as image asset pointers
        # (references to uploaded files, no text) or audio transcriptions with "text".
        if isinstance(part, str):
            yield from text_part(part, at.key("parts").index(index))
        elif isinstance(part, dict):
            yield from str_field(part, "text", at.key("parts").index(index))
        elif part is not None:
            raise ExtractError(f"{at}.parts[{index}]: expected a string or an object")
    yield from str_field(content, "text", at)  # content_type "code", "tether_quote", …
    yield from str_field(content, "user_profile", at)  # "user_editable_context":
    yield from str_field(content, "user_instructions", at)  # the custom instructions
    metadata = optional_object(msg, "metadata", where)
    for index, attachment in enumerate(
        optional_list(metadata, "attachments", where.key("metadata"))
    ):
        place = where.key("metadata").key("attachments").index(index)
        yield from str_field(as_object(attachment, place), "name", place)


READERS: dict[Api, Reader] = {"chatgpt_web": _chatgpt}
