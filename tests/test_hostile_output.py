"""Repository and report text cannot forge or break any output (issue 14): every format, stderr and the
pytest plugin, with file names holding line breaks, control and bidi characters, Markdown and HTML
syntax and spreadsheet formulas, and credentials in URLs that must never be printed."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from test_cli import schema

from verifier import sanitize
from verifier.cli import main
from verifier.engine import verify
from verifier.render import render_text

from conftest import git, git_init, write_tree

pytest_plugins = ["pytester"]

SECRET = "ghp_SECRETtoken123"
CLONE_SECRET = "s3cr3t-clone-pass"
# One folder per hostile name, each holding a Dockerfile, so every name is a location of m10.dockerfiles.
HOSTILE_FOLDERS = [
    "x\nCONFIRMED m99 forged",
    "y\rUNSUPPORTED m98 forged",
    "esc\x1b[2J\x1b]0;owned\x07",
    "\u202eexe.py",
    "back`tick` <b>",
    "<script>alert(1)",
    "pipe|cell",
    "=cmd()",
]
REPORT = """# Exam template for 02476 Machine Learning Operations

## Overall project checklist

### Week 1

* [x] Create a git repository (M5)
* [ ] Construct one or multiple docker files for your code (M10)
* [x] Uploaded all your code to GitHub
* [x] Our own item `code <i>x</i> | =HYPERLINK("http://e.invalid") \u202egnp.exe \x1b[31mred

## Group information
"""
FORGED = ("CONFIRMED m99", "UNSUPPORTED m98")
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI}]")


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """A git repository named `=cmd()` (relative to the working directory, so the CSV repo cell starts
    with `=`) with the hostile names and a remote URL holding a token; and a URL with a password whose
    clone fails (nothing listens on 127.0.0.1:9)."""
    files: dict[str, str | bytes] = {
        f"{name}/Dockerfile": "FROM python:3.12-slim\n" for name in HOSTILE_FOLDERS
    }
    root = git_init(write_tree(tmp_path / "=cmd()", {"reports/README.md": REPORT, **files}))
    git(root, "remote", "add", "origin", f"https://ada:{SECRET}@github.com/group/project.git")
    monkeypatch.chdir(tmp_path)
    return "=cmd()", f"https://ada:{CLONE_SECRET}@127.0.0.1:9/group/project.git"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text and CLONE_SECRET not in text


def test_the_hostile_strings_reach_the_verification(hostile: tuple[str, str]) -> None:
    """The channels are real: without sanitizing, the raw data holds every name. The remote's token is
    redacted where the history reads it (verifier.redact), so even the raw data never holds it."""
    data = json.dumps(verify(hostile[0]).to_dict(), ensure_ascii=False)
    assert SECRET not in data
    for name in HOSTILE_FOLDERS:
        assert json.dumps(f"{name}/Dockerfile", ensure_ascii=False)[1:-1] in data


def test_text_output_has_no_forged_line_and_no_control_character(
    hostile: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *hostile, "--no-color", "-v")
    assert code == 2  # the URL could not be cloned
    for line in out.splitlines() + err.splitlines():
        assert not line.lstrip().startswith(FORGED), line
    assert not CONTROL.search(out) and not CONTROL.search(err)
    assert "\r" not in out and "\r" not in err
    assert "x\\nCONFIRMED m99 forged/Dockerfile" in out and "\\u202eexe.py/Dockerfile" in out
    assert "esc\\x1b[2J\\x1b]0;owned\\x07/Dockerfile" in out
    assert "https://ada:***@" not in out and "https://***@github.com/group/project.git" in out
    assert "NOT VERIFIED" in out and "https://***@127.0.0.1:9/group/project.git" in err
    assert_no_secret(out, err)
    assert len(err.strip().splitlines()) == 1  # the failed clone, on one line


def test_text_output_keeps_its_own_colours_only(hostile: tuple[str, str]) -> None:
    out = render_text(verify(hostile[0]), colour=True, verbose=True)
    assert "\x1b[36m" in out  # the unclaimed heading
    assert not re.search("\x1b(?!\\[(?:3[0-9]|0)m)", out)  # every ESC starts one of the verdict colours


def test_json_keeps_exact_names_and_redacts_credentials(
    hostile: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *hostile, "-f", "json")
    data = json.loads(out)
    jsonschema.validate(data, schema())
    assert code == 2 and [entry["repo"] for entry in data["results"] + data["errors"]] == [
        hostile[0],
        "https://***@127.0.0.1:9/group/project.git",
    ]
    paths = {loc["path"] for item in data["results"][0]["items"] for loc in item["locations"]}
    assert {f"{name}/Dockerfile" for name in HOSTILE_FOLDERS} <= paths
    assert "git clone" in data["errors"][0]["error"]
    assert_no_secret(out, err)


def test_csv_cells_are_no_formulas_and_no_cell_is_split(
    hostile: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *hostile, "-f", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 2 and len(rows) == 3 and all(len(row) == len(rows[0]) for row in rows)
    assert rows[1][0] == "'=cmd()" and rows[2][0] == "https://***@127.0.0.1:9/group/project.git"
    assert "git clone" in rows[2][rows[0].index("error")]
    for row in rows:
        assert not any(cell.lstrip().startswith(("=", "+", "-", "@")) for cell in row), row
    assert_no_secret(out, err)


def test_junit_always_parses(hostile: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *hostile, "-f", "junit", "-v")
    root = ET.fromstring(out.split("?>", 1)[1])
    suites = root.findall("testsuite")
    assert code == 2 and [s.get("name") for s in suites] == [
        hostile[0],
        "https://***@127.0.0.1:9/group/project.git",
    ]
    text = ET.tostring(root, encoding="unicode")
    assert "x\\nCONFIRMED m99 forged/Dockerfile" in text and "\u202e" not in text
    error = suites[1].find("testcase/error")
    assert error is not None and "git clone" in (error.get("message") or "")
    assert_no_secret(out, err)


def code_spans_and_rest(line: str) -> tuple[list[str], str]:
    """CommonMark code spans of one line (a run of n backticks closed by the next run of exactly n, a
    backslash-escaped backtick opening none, one space stripped from both ends) and the text outside."""
    spans, rest, position = [], [], 0
    while position < len(line):
        if line[position] == "\\" and position + 1 < len(line):
            rest.append(line[position : position + 2])
            position += 2
            continue
        if line[position] != "`":
            rest.append(line[position])
            position += 1
            continue
        run = re.match(r"`+", line[position:]).group()  # type: ignore[union-attr]
        closing = re.compile(f"(?<!`){run}(?!`)").search(line, position + len(run))
        if closing is None:
            rest.append(run)
            position += len(run)
            continue
        content = line[position + len(run) : closing.start()]
        if content.startswith(" ") and content.endswith(" ") and content.strip(" "):
            content = content[1:-1]
        spans.append(content)
        position = closing.end()
    return spans, "".join(rest)


def test_markdown_cannot_open_html_a_code_span_or_a_cell(
    hostile: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *hostile, "-f", "markdown")
    assert code == 2 and not CONTROL.search(out)
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    spans: list[str] = []
    for row in rows:
        row_spans, outside = code_spans_and_rest(row)
        spans += row_spans
        assert len(re.findall(r"(?<!\\)\|", outside)) == 6, row  # five cells, whatever the text holds
        assert not re.search(r"<(?!br>)", outside), row  # no HTML but the line breaks of the cell
    assert "back`tick` <b>/Dockerfile:1" in spans  # one code span, fenced with two backticks
    assert "**Not verified:**" in out
    assert_no_secret(out, err)


class Tags(HTMLParser):
    """The start tags of a document and its text outside <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.texts: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if "style" not in self.open:
            self.texts.append(data)


# Every tag the HTML renderer writes itself; a tag of the hostile names (<b>, <i>, <script>) is not one.
RENDERER_TAGS = {
    *("html", "head", "meta", "title", "style", "body", "main", "section", "hr", "h1", "h2", "h3", "p"),
    *("div", "span", "code", "strong", "ul", "li", "details", "summary"),
    *("table", "thead", "tbody", "tr", "th", "td"),
}


def test_html_is_escaped_and_has_no_raw_control_characters(
    hostile: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *hostile, "-f", "html")
    parser = Tags()
    parser.feed(out)
    assert code == 2 and parser.tags <= RENDERER_TAGS
    assert not CONTROL.search(out)
    # a line break only between the renderer's own tags, never inside a text
    assert all(not text.strip() for text in parser.texts if "\n" in text)
    assert "&lt;script&gt;alert(1)" in out and "not verified: " in out
    assert_no_secret(out, err)


def test_cohort_names_the_failed_repository_without_credentials(
    hostile: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *hostile, "-f", "cohort")
    assert code == 2 and "NOT VERIFIED (1)" in out and "https://***@127.0.0.1:9" in out
    assert_no_secret(out, err)


PLUGIN_CONFTEST = """
import pytest
from verifier import engine

def pytest_configure(config):
    original = engine.verify
    def hostile_answers(*args, **kwargs):
        result = original(*args, **kwargs)
        result.answers = [{
            "question": 11, "check": "ci-os", "verdict": "inconsistent",
            "claim": "Ubuntu\\nFAILED forged::line", "observed": "esc\\x1b[2J here",
            "message": "see https://ada:SECRET_TOKEN@github.com/x \\u202e",
            "locations": [{"path": "x\\nCONFIRMED m99 forged/Dockerfile", "line": 1, "snippet": "FROM"}],
        }]
        return result
    patch = pytest.MonkeyPatch()
    patch.setattr(engine, "verify", hostile_answers)
    config.add_cleanup(patch.undo)
""".replace("SECRET_TOKEN", SECRET)


def test_pytest_plugin_failure_texts_and_summary_are_sanitized(pytester: pytest.Pytester) -> None:
    files = {f"{name}/Dockerfile": "FROM python:3.12-slim\n" for name in HOSTILE_FOLDERS}
    git_init(write_tree(pytester.path, {"reports/README.md": REPORT, **files}))
    git(pytester.path, "remote", "add", "origin", f"https://ada:{SECRET}@github.com/group/project.git")
    pytester.makeconftest(PLUGIN_CONFTEST)
    result = pytester.runpytest("--verify-report", "-p", "no:cacheprovider", "-rA")
    out = result.stdout.str()
    assert "mlops-verifier" in out and "answers::Q11::ci-os" in out
    assert "x\\nCONFIRMED m99 forged/Dockerfile" in out  # the summary's unclaimed evidence, escaped
    assert "claimed:  Ubuntu\\nFAILED forged::line" in out  # the answer's failure text, escaped
    for line in result.outlines:
        assert not line.lstrip().startswith((*FORGED, "FAILED forged")), line
    assert not CONTROL.search(out)
    assert_no_secret(out, result.stderr.str())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain name.py", "plain name.py"),
        ("a\nb\rc\td", "a\\nb\\rc\\td"),
        ("\x1b[31m\x9b\x7f", "\\x1b[31m\\x9b\\x7f"),
        ("\u202eevil\u2066\u200f\u061c", "\\u202eevil\\u2066\\u200f\\u061c"),
        ("line\u2028sep \udc80", "line\\u2028sep \\udc80"),
        ("see https://u:p@h.org/x and git@github.com:o/r", "see https://***@h.org/x and git@github.com:o/r"),
    ],
)
def test_for_text_escapes_what_a_terminal_would_act_on(text: str, expected: str) -> None:
    assert sanitize.for_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=cmd()", "'=cmd()"),
        ("  +1", "'  +1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("a=b", "a=b"),  # near miss: not at the start
        ("0.87", "0.87"),
    ],
)
def test_csv_cells_starting_like_a_formula_get_a_quote(text: str, expected: str) -> None:
    assert sanitize.for_csv(text) == expected


def test_markdown_code_span_fence_outgrows_the_backticks_inside() -> None:
    assert sanitize.markdown_code("plain.py") == "`plain.py`"
    assert sanitize.markdown_code("pipe|cell") == "`pipe\\|cell`"
    assert sanitize.markdown_code("a`b") == "`` a`b ``"
    assert sanitize.markdown_code("a``b`") == "``` a``b` ```"
    assert code_spans_and_rest(f"| {sanitize.markdown_code('x``y`')} |") == (["x``y`"], "|  |")
    assert sanitize.for_markdown("<b>*x*</b> | `y`") == "&lt;b&gt;\\*x\\*&lt;/b&gt; \\| \\`y\\`"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://user:tok@github.com/o/r.git", "https://***@github.com/o/r.git"),
        (
            "clone of https://tok@h/x failed; also http://a:b@c:8/",
            "clone of https://***@h/x failed; also http://***@c:8/",
        ),
        ("ssh://git@host/x", "ssh://***@host/x"),
        ("https://github.com/o/r (mail: me@x.org)", "https://github.com/o/r (mail: me@x.org)"),  # near miss
        ("https://h/p?next=a@b", "https://h/p?next=a@b"),  # an @ after the host is no credential
        ("a" * 100_000 + "://" + "b" * 100_000, "a" * 100_000 + "://" + "b" * 100_000),
    ],
)
def test_credentials_in_urls_are_redacted_in_one_scan(text: str, expected: str) -> None:
    assert sanitize.redact(text) == expected


@pytest.mark.parametrize(
    "text", ["https://ada:SECRET@github.com/o/r.git", "see http://SECRET@127.0.0.1:9/x for the clone"]
)
def test_redact_removes_the_secret_and_keeps_the_host(text: str) -> None:
    for redacted in (
        sanitize.redact(text),
        sanitize.redact_data({"k": [text]})["k"][0],
        sanitize.for_text(text),
    ):
        assert "SECRET" not in redacted and ("github.com/o/r.git" in redacted or "127.0.0.1:9/x" in redacted)


def test_json_writes_undecodable_file_name_bytes_as_escapes() -> None:
    text = sanitize.escape_surrogates_in_json(json.dumps({"path": "a\udc80b"}, ensure_ascii=False))
    text.encode("utf-8")  # no lone surrogate left
    assert json.loads(text) == {"path": "a\udc80b"}


def test_sarif_is_valid_and_names_the_failed_clone_without_credentials(
    hostile: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from test_sarif import validate

    code, out, err = run(capsys, *hostile, "-f", "sarif")
    log = json.loads(out)
    validate(log)
    assert code == 2 and [run["properties"]["repo"] for run in log["runs"]] == [
        hostile[0],
        "https://***@127.0.0.1:9/group/project.git",
    ]
    for message in re.findall(r'"text": "((?:[^"\\]|\\.)*)"', out):
        assert not CONTROL.search(json.loads(f'"{message}"'))
    assert_no_secret(out, err)
