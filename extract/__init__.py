"""Requests as AI services receive them: prompt texts, files, body decoding (no mitmproxy)."""
