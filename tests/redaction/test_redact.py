import json
from dataclasses import replace

import pytest

from checker.findings import Finding
from extract import registry
from extract.model import Api, Prompt, TextPart
from extract.path import ROOT
from redaction.memory import PlaceholderMap
from redaction.redact import redact_body
from redaction.restore import restore_text

MESSAGES = ROOT.key("messages")


def extract(api: Api, body: bytes, content_type: str | None = None) -> Prompt:
    """The extractor's own parts only, so that part numbers here count them (the
    residual walker's parts are redacted the same way, by path: see the tests at the end)."""
    prompt = registry.extract(api, body, content_type)
    return replace(prompt, parts=prompt.parts[prompt.residual :], residual=0)


def _finding(prompt: Prompt, part: int, value: str, entity: str, occurrence: int = 0) -> Finding:
    text = prompt.parts[part].text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(value, start + 1)
    return Finding(entity, "pii", start, start + len(value), 0.9, part, value)


def _chat(*messages: str) -> bytes:
    roles = ["user", "assistant"]
    return json.dumps(
        {
            "model": "gpt-4o",
            "messages": [
                {"role": roles[i % 2], "content": text} for i, text in enumerate(messages)
            ],
        }
    ).encode()


def _redact(api: Api, body: bytes, finds: list[tuple[int, str, str]], mapping: PlaceholderMap):
    prompt = extract(api, body, "application/json")
    findings = [_finding(prompt, part, value, entity) for part, value, entity in finds]
    return redact_body(api, body, prompt, findings, mapping)


def test_openai_chat_replaces_values_with_placeholders() -> None:
    body = _chat("Überweise an Max Müller, IBAN DE89 3704 0044 0532 0130 00.")
    mapping = PlaceholderMap()
    result = _redact(
        "openai_chat",
        body,
        [(0, "Max Müller", "PERSON"), (0, "DE89 3704 0044 0532 0130 00", "IBAN_CODE")],
        mapping,
    )
    assert result.ok and result.replaced == 2 and result.reason is None
    assert result.body is not None
    assert b"\xc3\x9c" in result.body  # ensure_ascii=False: "Ü" stays UTF-8
    assert b", " not in result.body.replace(b"<PERSON_1>, ", b"")  # compact separators
    data = json.loads(result.body)
    assert data["messages"][0]["content"] == "Überweise an <PERSON_1>, IBAN <IBAN_1>."
    assert data["model"] == "gpt-4o"
    assert (
        restore_text(data["messages"][0]["content"], mapping)
        == json.loads(body)["messages"][0]["content"]
    )


def test_placeholders_are_stable_across_turns() -> None:
    mapping = PlaceholderMap()
    first = _redact(
        "openai_chat", _chat("Schreib an Max Müller."), [(0, "Max Müller", "PERSON")], mapping
    )
    assert first.body is not None
    second_body = _chat(
        "Schreib an Max Müller.",
        "Gern, an Max Müller.",
        "Und an Erika Muster, dann nochmal an max  müller.",
    )
    prompt = extract("openai_chat", second_body)
    findings = [
        _finding(prompt, 0, "Max Müller", "PERSON"),
        _finding(prompt, 1, "Max Müller", "PERSON"),
        _finding(prompt, 2, "Erika Muster", "PERSON"),
        _finding(prompt, 2, "max  müller", "PERSON"),
    ]
    second = redact_body("openai_chat", second_body, prompt, findings, mapping)
    assert second.body is not None and second.replaced == 4
    contents = [m["content"] for m in json.loads(second.body)["messages"]]
    assert contents == [
        "Schreib an <PERSON_1>.",
        "Gern, an <PERSON_1>.",
        "Und an <PERSON_2>, dann nochmal an <PERSON_1>.",
    ]
    assert json.loads(first.body)["messages"][0]["content"] == "Schreib an <PERSON_1>."


def test_overlapping_and_nested_findings_become_one_placeholder() -> None:
    body = _chat("Kontakt: Dr. Max Mustermann, Hauptstraße 5, 10115 Berlin")
    prompt = extract("openai_chat", body)
    text = prompt.parts[0].text
    person = _finding(prompt, 0, "Max Mustermann", "PERSON")
    nested = _finding(prompt, 0, "Mustermann", "PERSON")
    address = _finding(prompt, 0, "Hauptstraße 5, 10115 Berlin", "STREET_ADDRESS")
    street = _finding(prompt, 0, "Hauptstraße 5", "STREET_ADDRESS")
    # partly overlapping: "Mustermann, Hauptstraße" (nothing may stay behind)
    start = text.index("Mustermann")
    overlap = Finding("PERSON", "pii", start, start + len("Mustermann, Haupt"), 0.5, 0, "")
    mapping = PlaceholderMap()
    result = redact_body(
        "openai_chat", body, prompt, [nested, address, person, street, overlap], mapping
    )
    assert result.body is not None and result.replaced == 1
    content = json.loads(result.body)["messages"][0]["content"]
    # the union of all, labelled after the longest finding (the address)
    assert content == "Kontakt: Dr. <ADDRESS_1>"
    assert mapping.original("<ADDRESS_1>") == "Max Mustermann, Hauptstraße 5, 10115 Berlin"

    separate = redact_body("openai_chat", body, prompt, [person, street], PlaceholderMap())
    assert separate.body is not None
    assert (
        json.loads(separate.body)["messages"][0]["content"]
        == "Kontakt: Dr. <PERSON_1>, <ADDRESS_1>, 10115 Berlin"
    )


def test_value_that_is_a_placeholder_is_left_alone() -> None:
    body = _chat("Bitte an <PERSON_1> und Erika Muster schicken")
    prompt = extract("openai_chat", body)
    text = prompt.parts[0].text
    start = text.index("<PERSON_1>")
    findings = [
        Finding("PERSON", "pii", start, start + 10, 0.9, 0, "<PERSON_1>"),
        Finding("PERSON", "pii", start + 1, start + 7, 0.9, 0, "PERSON"),
        _finding(prompt, 0, "Erika Muster", "PERSON"),
    ]
    mapping = PlaceholderMap()
    mapping.placeholder_for("PERSON", "Max")
    result = redact_body("openai_chat", body, prompt, findings, mapping)
    assert result.body is not None and result.replaced == 1
    content = json.loads(result.body)["messages"][0]["content"]
    assert content == "Bitte an <PERSON_1> und <PERSON_2> schicken"


def test_json_escaping_of_values_with_quotes_and_backslashes() -> None:
    body = _chat('Name: Max "Maxi" O\'Brien\\Jr.\nEnde')
    prompt = extract("openai_chat", body)
    mapping = PlaceholderMap()
    result = redact_body(
        "openai_chat",
        body,
        prompt,
        [_finding(prompt, 0, 'Max "Maxi" O\'Brien\\Jr.', "PERSON")],
        mapping,
    )
    assert result.body is not None
    assert json.loads(result.body)["messages"][0]["content"] == "Name: <PERSON_1>\nEnde"
    assert mapping.original("<PERSON_1>") == 'Max "Maxi" O\'Brien\\Jr.'


def test_nested_content_parts_and_anthropic_system_and_tool_input() -> None:
    body = json.dumps(
        {
            "model": "claude",
            "system": [{"type": "text", "text": "Du hilfst Max Müller."}],
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Hallo"},
                        {"type": "text", "text": "Mail an max@example.org"},
                    ],
                },
                {
                    "role": "assistant",
                    "content": [
                        {
                            "type": "tool_use",
                            "id": "t1",
                            "name": "send",
                            "input": {"to": 'O"Neil <x>', "n": 1.5},
                        }
                    ],
                },
            ],
        }
    ).encode()
    prompt = extract("anthropic_messages", body)
    locations = [part.location for part in prompt.parts]
    assert locations == [
        "system[0].text",
        "messages[0].content[0].text",
        "messages[0].content[1].text",
        "messages[1].content[0].input",
    ]
    tool_text = prompt.parts[3].text
    start = tool_text.index("O\\")
    findings = [
        _finding(prompt, 0, "Max Müller", "PERSON"),
        _finding(prompt, 2, "max@example.org", "EMAIL_ADDRESS"),
        # in the json.dumps text of the tool input, the quote is escaped
        Finding("PERSON", "pii", start, start + len('O\\"Neil'), 0.8, 3, ""),
    ]
    mapping = PlaceholderMap()
    result = redact_body("anthropic_messages", body, prompt, findings, mapping)
    assert result.body is not None and result.replaced == 3, result.reason
    data = json.loads(result.body)
    assert data["system"][0]["text"] == "Du hilfst <PERSON_1>."
    assert data["messages"][0]["content"][1]["text"] == "Mail an <EMAIL_1>"
    assert data["messages"][1]["content"][0]["input"] == {"to": "<PERSON_2> <x>", "n": 1.5}
    assert mapping.original("<PERSON_2>") == 'O"Neil'  # the value, not its escaped form


def test_openai_responses_and_generic_json_locations() -> None:
    body = json.dumps(
        {
            "model": "gpt-4.1",
            "instructions": "Kunde: Max Müller",
            "input": [{"role": "user", "content": [{"type": "input_text", "text": "Max Müller"}]}],
        }
    ).encode()
    mapping = PlaceholderMap()
    result = _redact(
        "openai_responses",
        body,
        [(0, "Max Müller", "PERSON"), (1, "Max Müller", "PERSON")],
        mapping,
    )
    assert result.body is not None
    data = json.loads(result.body)
    assert data["instructions"] == "Kunde: <PERSON_1>"
    assert data["input"][0]["content"][0]["text"] == "<PERSON_1>"

    generic = json.dumps(
        {"q": {"max@example.org": "schreib max@example.org", "list": ["a", "Ruf 030 1234567"]}}
    ).encode()
    prompt = extract("generic", generic, "application/json")
    locations = [p.location for p in prompt.parts]
    assert locations == ["$.q[#0]", "$.q.list[0]", "$.q.list[1]", "${keys}"]
    findings = [
        _finding(prompt, 0, "max@example.org", "EMAIL_ADDRESS"),
        _finding(prompt, 2, "030 1234567", "PHONE_NUMBER"),
    ]
    result = redact_body("generic", generic, prompt, findings, mapping)
    assert result.body is not None
    assert json.loads(result.body) == {
        "q": {"max@example.org": "schreib <EMAIL_1>", "list": ["a", "Ruf <PHONE_1>"]}
    }


def test_quoted_keys_and_positional_prompt_variables() -> None:
    # Le Chat's batch key "0" is shown quoted, prompt variables by their position: both
    # are walked by their real keys.
    lechat = json.dumps({"0": {"json": {"content": "Schreib an Max Müller"}}}).encode()
    prompt = extract("lechat_web", lechat)
    assert [p.location for p in prompt.parts] == ['["0"].json.content']
    finding = _finding(prompt, 0, "Max Müller", "PERSON")
    result = redact_body("lechat_web", lechat, prompt, [finding], PlaceholderMap())
    assert result.body is not None
    assert json.loads(result.body) == {"0": {"json": {"content": "Schreib an <PERSON_1>"}}}

    variables = {"kunde": "Erika Muster", "anliegen": "Rückruf an Max Müller"}
    responses = json.dumps({"model": "m", "prompt": {"id": "p", "variables": variables}})
    prompt = extract("openai_responses", responses.encode())
    assert [p.location for p in prompt.parts] == ["prompt.variables[0]", "prompt.variables[1]"]
    finding = _finding(prompt, 1, "Max Müller", "PERSON")
    result = redact_body(
        "openai_responses", responses.encode(), prompt, [finding], PlaceholderMap()
    )
    assert result.body is not None
    redacted = json.loads(result.body)["prompt"]["variables"]
    assert redacted == {"kunde": "Erika Muster", "anliegen": "Rückruf an <PERSON_1>"}


def test_plain_text_generic_body() -> None:
    body = "Bitte an Max Müller".encode()
    prompt = extract("generic", body, "text/plain")
    mapping = PlaceholderMap()
    result = redact_body(
        "generic", body, prompt, [_finding(prompt, 0, "Max Müller", "PERSON")], mapping
    )
    assert result.body == b"Bitte an <PERSON_1>"


def test_unresolvable_location_gives_reason_and_no_body() -> None:
    body = _chat("Max Müller")
    prompt = extract("openai_chat", body)
    bad = Prompt(
        prompt.api, (TextPart(MESSAGES.index(7).key("content"), "Max Müller"),), False, None
    )
    finding = Finding("PERSON", "pii", 0, 10, 0.9, 0, "Max Müller")
    result = redact_body("openai_chat", body, bad, [finding], PlaceholderMap())
    assert result.body is None and result.replaced == 0
    assert result.reason is not None and "messages[7].content" in result.reason
    assert "Max" not in result.reason

    # a location whose text differs from what was scanned (e.g. an inline file)
    other = Prompt(
        prompt.api, (TextPart(MESSAGES.index(0).key("content"), "Max Müllerx"),), False, None
    )
    assert redact_body("openai_chat", body, other, [finding], PlaceholderMap()).body is None

    # offsets outside the part
    wild = Finding("PERSON", "pii", 5, 50, 0.9, 0, "")
    assert redact_body("openai_chat", body, prompt, [wild], PlaceholderMap()).reason


def test_form_bodies_are_not_supported() -> None:
    body = b"q=Max+M%C3%BCller&x=1"
    prompt = extract("generic", body, "application/x-www-form-urlencoded")
    finding = _finding(prompt, 0, "Max Müller", "PERSON")
    result = redact_body("generic", body, prompt, [finding], PlaceholderMap())
    assert result.body is None and result.reason and "form" in result.reason


def test_no_findings_keeps_the_body_byte_for_byte() -> None:
    body = b'{"messages": [{"role": "user", "content": "hi there"}], "model": "m"}'
    prompt = extract("openai_chat", body)
    result = redact_body("openai_chat", body, prompt, [], PlaceholderMap())
    assert result.body == body and result.replaced == 0


def test_placeholder_shaped_text_this_conversation_never_issued_is_redacted() -> None:
    # `<AKIA…_1>` matches the placeholder shape, but no turn issued it: a key inside
    # it must still be replaced, or wrapping a value in <…_1> would smuggle it out.
    key = "AKIAIOSFODNN7EXAMPLE"
    result = _redact(
        "openai_chat", _chat(f"Schlüssel <{key}_1>"), [(0, key, "SECRET")], PlaceholderMap()
    )
    assert result.body is not None and result.replaced == 1
    assert key not in result.body.decode()


# --- the residual walker's parts ------------------------------------------------------------


def _located(prompt: Prompt, location: str, value: str, entity: str) -> Finding:
    index = next(i for i, p in enumerate(prompt.parts) if p.location == location)
    start = prompt.parts[index].text.index(value)
    return Finding(entity, "pii", start, start + len(value), 0.9, index, value)


def test_residual_strings_and_numbers_are_redacted_at_their_path() -> None:
    body = json.dumps(
        {
            "model": "gpt-4o",
            "messages": [{"role": "user", "content": "Hallo"}],
            "metadata": {"kunde": "Konto DE89 3704 0044 0532 0130 00"},
            "ref": 4111111111111111,
        }
    ).encode()
    prompt = registry.extract("openai_chat", body)
    findings = [
        _located(prompt, "metadata.kunde", "DE89 3704 0044 0532 0130 00", "IBAN_CODE"),
        _located(prompt, "ref", "4111111111111111", "CREDIT_CARD"),
    ]
    mapping = PlaceholderMap()
    result = redact_body("openai_chat", body, prompt, findings, mapping)
    assert result.body is not None and result.replaced == 2
    data = json.loads(result.body)
    assert data["metadata"]["kunde"] == "Konto <IBAN_1>"
    assert data["ref"] == "<CARD_1>"  # a number becomes a string with the placeholder
    assert mapping.original("<CARD_1>") == "4111111111111111"


@pytest.mark.parametrize(
    ("body", "location", "value"),
    [
        ({"messages": [], "x": {"erika@firma.de": 1}}, "{keys}", "erika@firma.de"),
        (
            {"messages": [], "ref": list("DE89370400440532013000")},
            "ref[0]…[21]",
            "DE89370400440532013000",
        ),
    ],
)
def test_keys_and_joined_fragments_are_not_rewritten(
    body: dict[str, object], location: str, value: str
) -> None:
    raw = json.dumps(body).encode()
    prompt = registry.extract("openai_chat", raw)
    finding = _located(prompt, location, value, "PII")
    result = redact_body("openai_chat", raw, prompt, [finding], PlaceholderMap())
    assert result.body is None and "cannot be rewritten" in (result.reason or "")


def test_a_split_value_is_redacted_in_every_part_or_not_at_all() -> None:
    texts = ["Meine IBAN ist DE89 3704 0044", "0532 0130 00 – danke!"]
    raw = _chat(*texts)
    prompt = extract("openai_chat", raw)
    pieces = [
        Finding("IBAN_CODE", "pii", 15, 29, 1.0, 0, "DE89370400440532013000", split_across=(0, 1)),
        Finding("IBAN_CODE", "pii", 0, 12, 1.0, 1, "DE89370400440532013000", split_across=(0, 1)),
    ]
    both = redact_body("openai_chat", raw, prompt, pieces, PlaceholderMap())
    assert both.body is not None and both.replaced == 2
    sent = [m["content"] for m in json.loads(both.body)["messages"]]
    assert sent == ["Meine IBAN ist <IBAN_1>", "<IBAN_2> – danke!"]
    # The second piece in a part that has no place for a placeholder (a file's text):
    unrewritable = (TextPart(prompt.parts[1].path.mark("file"), prompt.parts[1].text),)
    mixed = replace(prompt, parts=(prompt.parts[0], *unrewritable))
    result = redact_body("openai_chat", raw, mixed, pieces, PlaceholderMap())
    assert result.body is None
