"""Credentials in URLs never reach an output: `https://user:token@host/...` becomes `https://***@host/...`."""

from __future__ import annotations

# Where the userinfo of a URL ends at the latest: the path, query or fragment starts, or the text goes on.
_AUTHORITY_END = frozenset("/?#\\ \t\r\n\f\v'\"<>`")


def redact_url(text: str) -> str:
    """`text` with the userinfo of every `scheme://userinfo@host` URL in it replaced by `***`.

    Accepts a bare URL or any longer text (git's error lines quote the URL they failed on). Any userinfo is
    redacted, with or without a password, because a token is often given as the user name alone
    (`https://ghp_x@github.com/...`). An `@` after the first `/`, `?` or `#` belongs to the path and is kept;
    `user@host:path` without a scheme (ssh's form) and e-mail addresses hold no secret and are kept.
    Runs in linear time: every character is looked at a bounded number of times.
    """
    if "://" not in text or "@" not in text:
        return text
    parts: list[str] = []
    position = 0
    start = text.find("://")
    while start != -1:
        authority = start + 3
        end = authority
        last_at = -1
        while end < len(text) and text[end] not in _AUTHORITY_END:
            if text[end] == "@":
                last_at = end
            end += 1
        if last_at != -1:
            parts.append(text[position:authority])
            parts.append("***")
            position = last_at
        start = text.find("://", max(end, authority))
    parts.append(text[position:])
    return "".join(parts)
