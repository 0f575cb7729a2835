"""match_endpoint: which extractor reads a request, from the family, method and path."""

import pytest

from extract.model import Api
from extract.registry import match_endpoint

# --- endpoint matching -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "method", "path", "api"),
    [
        ("openai", "POST", "/v1/chat/completions", "openai_chat"),
        ("openai", "post", "/v1/chat/completions", "openai_chat"),
        ("openai", "POST", "/v1/responses", "openai_responses"),
        ("openai", "POST", "/v1/responses?stream=true", "openai_responses"),
        ("openai", "POST", "/openai/v1/chat/completions?api-version=2024", "openai_chat"),
        ("openai", "POST", "/v1/chat/completions/", "openai_chat"),
        ("openai", "POST", "/v1//chat/completions", "openai_chat"),
        ("openai", "POST", "/v1/chat/%63ompletions", "openai_chat"),
        ("anthropic", "POST", "/v1/messages", "anthropic_messages"),
        ("anthropic", "POST", "/v1/messages?beta=true", "anthropic_messages"),
        ("anthropic", "POST", "/api/anthropic/v1/messages", "anthropic_messages"),
        ("openai", "GET", "/v1/chat/completions", "generic"),
        ("openai", "DELETE", "/v1/files/file-1", "generic"),
        ("openai", "PUT", "/v1/uploads/up_1/parts", "generic"),
        ("anthropic", "GET", "/v1/messages", "generic"),
        ("openai", "POST", "/v1/models", "generic"),
        ("openai", "POST", "/v1/embeddings", "openai_embeddings"),
        ("openai", "GET", "/v1/responses/resp_123", "generic"),
        ("openai", "POST", "/v1/responses/resp_123/cancel", "generic"),
        ("anthropic", "POST", "/v1/messages/count_tokens", "generic"),
        ("anthropic", "POST", "/v1/messages/batches", "generic"),
        ("openai", "POST", "/v1/messages", "generic"),
        ("anthropic", "POST", "/v1/chat/completions", "generic"),
        ("gemini", "POST", "/v1/chat/completions", "generic"),
        ("openai", "POST", "/", "generic"),
    ],
)
def test_match_endpoint(family: str, method: str, path: str, api: Api) -> None:
    assert match_endpoint(family, method, path) == api


@pytest.mark.parametrize(
    ("method", "api"),
    [
        ("POST", "generic"),
        ("PUT", "generic"),
        ("patch", "generic"),
        # Bodies of any method are read (DELETE, QUERY, GET with a body …); the guard
        # checks a request without one for its URL and headers only.
        ("GET", "generic"),
        ("HEAD", "generic"),
        ("DELETE", "generic"),
        ("OPTIONS", "generic"),
        ("QUERY", "generic"),
    ],
)
@pytest.mark.parametrize("path", ["/backend-api/conversation", "/", "/v1/translate?x=1", ""])
def test_match_endpoint_generic(method: str, path: str, api: Api) -> None:
    assert match_endpoint("generic", method, path) == api


@pytest.mark.parametrize(
    ("family", "path", "api"),
    [
        (
            "openai",
            "/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21",
            "openai_chat",
        ),
        ("openai", "/openai/deployments/my-gpt4o/completions", "openai_completions"),
        (
            "openai",
            "/openai/deployments/ada-002/embeddings?api-version=2024-10-21",
            "openai_embeddings",
        ),
        ("openai", "/openai/v1/responses", "openai_responses"),
        ("openai", "/openai/responses?api-version=2025-04-01-preview", "openai_responses"),
        ("openai", "/openai/v1/chat/completions", "openai_chat"),
        ("openai", "/v1/completions", "openai_completions"),
        ("openai", "/api/chat", "ollama_chat"),
        ("openai", "/openai/deployments/x/images/generations", "generic"),
        ("ollama", "/api/chat", "ollama_chat"),
        ("ollama", "/api/generate", "ollama_generate"),
        ("ollama", "/v1/chat/completions", "openai_chat"),
        ("ollama", "/api/embed", "generic"),
        ("ollama", "/api/pull", "generic"),
        ("gemini", "/v1beta/models/gemini-2.5-flash:generateContent", "gemini_generate"),
        (
            "gemini",
            "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
            "gemini_generate",
        ),
        (
            "gemini",
            "/v1/projects/p-1/locations/europe-west3/publishers/google/models/"
            "gemini-2.0-flash:generateContent",
            "gemini_generate",
        ),
        ("gemini", "/v1beta/tunedModels/my-model:generateContent", "gemini_generate"),
        ("gemini", "/v1beta/openai/chat/completions", "openai_chat"),
        ("gemini", "/v1beta/models/gemini-2.5-flash:countTokens", "generic"),
        ("gemini", "/v1beta/models/text-embedding-004:embedContent", "generic"),
        ("anthropic", "/api/generate", "generic"),
        ("no-such-family", "/v1/chat/completions", "generic"),
    ],
)
def test_match_provider_endpoint(family: str, path: str, api: Api) -> None:
    assert match_endpoint(family, "POST", path) == api
