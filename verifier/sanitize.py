"""Repository and report text made safe for the output format it goes into.

Every string that comes from a verified repository or its report (file names, snippets, item texts,
messages that quote them, author names, remote URLs, warnings, error lines) passes through one of these
functions on its way into an output. They are the only place that knows what a format needs:

- `for_text`: a terminal or a plain text file. A line break cannot start a new output line, and no
  control character (C0, DEL, C1: ESC sequences that recolour or clear a screen) or Unicode bidi
  control (which reorders what a grader reads) reaches the screen: each is shown escaped (`\\n`,
  `\\x1b`, `\\u202e`), so the grader sees that it was there.
- `for_html`, `for_xml`, `for_markdown`, `markdown_code`, `for_csv`: `for_text`, then what the format
  itself needs (entities, XML 1.0 characters, Markdown punctuation and table cells, spreadsheet
  formulas).
- `for_sarif`: `for_text`, then the backslash and square brackets escaped as SARIF plain-text messages
  require, so repository text cannot form an embedded link (`[text](https://...)`) in a SARIF viewer.
- `redact` / `redact_data`: credentials in URLs (`https://user:token@host/...`) become
  `https://***@host/...`; every function above redacts first, JSON is redacted and otherwise exact.

All of them run in time linear in the text (character classes and plain scans, no backtracking).
"""

from __future__ import annotations

import html
import re
from typing import Any

from .redact import redact_url

# C0 and C1 controls and DEL, bidi controls (U+061C, U+200E/F, U+202A-E, U+2066-9), line and paragraph
# separators, lone surrogates (undecodable bytes in a file name) and the XML non-characters U+FFFE/FFFF.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff\ufffe\uffff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]|~])")
_BACKTICK_RUNS = re.compile(r"`+")
_FORMULA_START = ("=", "+", "-", "@")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def redact(text: str) -> str:
    """`text` with the credentials of every URL in it replaced by `***` (`https://***@host/...`)."""
    return redact_url(text)


def redact_data(data: Any) -> Any:
    """A copy of JSON-like data (dicts, lists, strings, numbers) with every string passed through `redact`,
    dictionary keys included."""
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return {redact_data(key): redact_data(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [redact_data(value) for value in data]
    return data


def for_text(text: object) -> str:
    """One line of terminal-safe text: credentials redacted, every control, bidi and line-breaking
    character shown escaped. Accepts any object (its `str`)."""
    value = redact(str(text))
    return _UNSAFE.sub(_escape, value) if _UNSAFE.search(value) else value


def for_html(text: object) -> str:
    """Text for an HTML element or a quoted attribute value."""
    return html.escape(for_text(text), quote=True)


def for_xml(text: object) -> str:
    """Text for an XML 1.0 element or attribute built with ElementTree (which escapes `<`, `&` and quotes
    itself): every character XML 1.0 forbids is shown escaped, so the document always parses."""
    return for_text(text)


def for_markdown(text: object) -> str:
    """Text for a Markdown table cell or paragraph: no raw HTML, no code span or emphasis opened by the
    text, no cell split by a `|`, on one line."""
    value = _MARKDOWN_PUNCTUATION.sub(r"\\\1", for_text(text))
    return html.escape(value, quote=False)


def markdown_code(text: object) -> str:
    """Text as a Markdown code span inside a table cell: the fence is one backtick longer than the longest
    run of backticks in the text, so the text cannot close it; `|` is escaped for the table (GitHub reads
    `\\|` as `|` inside a code span in a table)."""
    value = for_text(text).replace("|", "\\|")
    longest = max((len(run) for run in _BACKTICK_RUNS.findall(value)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if value.startswith("`") or value.endswith("`") or longest else ""
    return f"{fence}{padding}{value}{padding}{fence}"


def for_csv(text: object) -> str:
    """A CSV cell: one line, and never a formula when a spreadsheet opens it (a cell that starts with
    `=`, `+`, `-` or `@`, also after spaces, gets a leading `'`)."""
    value = for_text(text)
    return "'" + value if value.lstrip().startswith(_FORMULA_START) else value


_SARIF_LINK_CHARACTERS = re.compile(r"([\\\[\]])")


def for_sarif(text: object) -> str:
    """Text for a SARIF plain-text message (SARIF 2.1.0, 3.11.6): one line as `for_text` makes it, with every
    backslash and square bracket escaped by a backslash, so no embedded link can open or close in it."""
    return _SARIF_LINK_CHARACTERS.sub(r"\\\1", for_text(text))


def escape_surrogates_in_json(text: str) -> str:
    """JSON text with every lone surrogate (an undecodable byte of a file name) written as a `\\udcxx`
    escape, so the document can be written as UTF-8 and reads back as the same string."""
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
