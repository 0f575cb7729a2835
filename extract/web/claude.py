"""Claude: POST /api/organizations/<org>/chat_conversations/<id>/completion."""

from extract.json_walk import as_object, load_object, model_field, optional_list, str_field
from extract.model import Api, Found, Prompt, Reader, prompt_of
from extract.path import ROOT


def _claude(body: bytes, content_type: str | None) -> Prompt:
    data = load_object(body)
    found: list[Found] = list(str_field(data, "prompt", ROOT))
    # Pasted text and text files arrive inline as attachments; "files" lists ids of
    # uploaded files (scanned at upload), which carry no content here.
    for index, attachment in enumerate(optional_list(data, "attachments", ROOT)):
        where = ROOT.key("attachments").index(index)
        obj = as_object(attachment, where)
        found.extend(str_field(obj, "file_name", where))
        found.extend(str_field(obj, "extracted_content", where))
    for index, style in enumerate(optional_list(data, "personalized_styles", ROOT)):
        where = ROOT.key("personalized_styles").index(index)
        found.extend(str_field(as_object(style, where), "prompt", where))
    return prompt_of("claude_web", found, stream=True, model=model_field(data))


READERS: dict[Api, Reader] = {"claude_web": _claude}
