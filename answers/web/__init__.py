"""The gateway's answer in an AI web app's own answer format, one module per app.

A blocked or coached prompt gets the policy message where the app shows the assistant's
answer (ChatGPT, Gemini, Perplexity, DeepSeek, Le Chat's chat stream), or, where the
app's send request carries no answer text, as the error its UI displays (HuggingChat's
failed-response JSON, Le Chat's tRPC errors, Poe's send status, M365 Copilot's upload
error). Each format follows the app's maintained reference clients; docs/web-apps.md
lists per app what the employee sees and how it was verified. Pure functions, no
mitmproxy; answers/responders.py chooses the module by the request's Api.
"""
