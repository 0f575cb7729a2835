"""Prompt text out of the request bodies of AI web apps (ChatGPT, Claude, Gemini, ...).

One module per app, chosen by extract/registry.py from the catalog's extractor id and
the request path. The wire formats are the apps' private ones and change without
notice, so each reader:
- reads the fields known to carry the user's text exactly (with exact JSON paths), and
- where the app wraps its payload in an opaque structure (Gemini's nested f.req arrays,
  Le Chat's tRPC batches, Poe's GraphQL variables), takes every string leaf instead of
  relying on positions, so a reshuffled array still gets scanned.
Wrong types in the known fields raise ExtractError (the guard then scans the raw body);
messages name the location, never the content.

Location formats are described in extract/model.py ("form:f.req[1]→[0][0]",
"multipart:data[0]→inputs").
"""
