"""A cohort's input (the group list, @lists) and outputs (gradebook CSV, JSON lines, Gradescope
results.json), through the command line: one command for the term."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest
from cohort_repos import bare_copy, make_project, remove_file

from verifier.cli import main
from verifier.db import ResultsDB
from verifier.exports import GRADEBOOK_COLUMNS, GRADESCOPE_POINTS
from verifier.groups import InputError, expand_sources, read_groups

from conftest import ROOT

SCHEMA = json.loads((ROOT / "verifier" / "schema" / "result.schema.json").read_text())
DEADLINE = "2026-01-23 23:59 Europe/Copenhagen"
BEFORE = "2026-01-20T10:00:00+01:00"
AFTER = "2026-01-25T10:00:00+01:00"
HEADER = "group_nb,student 1,student 2,student 3,student 4,student 5,github_repo\n"


# ----------------------------------------------------------------- input


def test_the_group_list_is_read_with_its_students_and_every_bad_row_is_an_error_row(tmp_path: Path) -> None:
    (tmp_path / "local").mkdir()
    groups = tmp_path / "group_info.csv"
    groups.write_text(
        HEADER
        + "1,s201,s202,,,,https://github.com/org/group-1\n"
        + "2,s203,,,,,\n"  # blank
        + "3,s204,,,,,not a url\n"
        + "4,s205,,,,,github.com/org/group-4\n"  # no scheme
        + "5,s206,,,,,https://github.com/org/group-5/tree/main/src\n"  # a page of the repository
        + "6,s207,,,,,https://github.com/org\n"  # no repository
        + "7,s208,,,,,ext::sh -c touch% /tmp/pwned\n"  # a transport helper
        + ",,,,,,\n"
        + "8,s209,,,,,local\n"
    )
    targets = read_groups(groups)
    assert [t.group for t in targets] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert targets[0].students == ("s201", "s202") and targets[0].source == "https://github.com/org/group-1"
    assert targets[1].error == "group_info.csv line 3: no repository given" and targets[1].source == ""
    assert targets[2].error == "group_info.csv line 4: 'not a url' is not a git URL"
    assert targets[3].source == "https://github.com/org/group-4" and targets[3].error is None
    assert targets[4].source == "https://github.com/org/group-5"
    assert "names no repository" in (targets[5].error or "")
    assert "transport helper" in (targets[6].error or "")
    assert targets[7].source == str(tmp_path / "local") and targets[7].error is None


@pytest.mark.parametrize(
    "text",
    [
        "\ufeffgroup_nb;student 1;student 2;github_repo\n1;s1;s2;https://github.com/o/r\n",  # Excel, Danish locale
        "1,s1,s2,https://github.com/o/r\n",  # no header
        "Group Nb\tStudent 1\tStudent 2\tGitHub Repo\n1\ts1\ts2\thttps://github.com/o/r\n",
    ],
)
def test_group_lists_of_every_spreadsheet_are_read(tmp_path: Path, text: str) -> None:
    groups = tmp_path / "groups.csv"
    groups.write_text(text, encoding="utf-8")
    (target,) = read_groups(groups)
    assert (target.group, target.students, target.source, target.error) == (
        "1",
        ("s1", "s2"),
        "https://github.com/o/r",
        None,
    )


def test_a_group_list_that_is_no_csv_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    groups = tmp_path / "groups.csv"
    groups.write_text(HEADER + "1," + "x" * 200_000 + ",https://github.com/o/r\n")
    with pytest.raises(InputError, match="not a readable CSV file"):
        read_groups(groups)
    with pytest.raises(InputError, match="cannot read the group list"):
        read_groups(tmp_path / "missing.csv")
    assert main(["--groups", str(groups)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("verify: error: ") and "not a readable CSV file" in err and err.count("\n") == 1


def test_a_list_file_gives_one_source_a_line(tmp_path: Path) -> None:
    listing = tmp_path / "repos.txt"
    listing.write_text("# the term's repositories\nrepos/a\n\n  https://github.com/o/b  \n")
    assert expand_sources(["x", f"@{listing}", "@"]) == ["x", "repos/a", "https://github.com/o/b", "@"]
    with pytest.raises(InputError, match="cannot read the list"):
        expand_sources([f"@{tmp_path / 'missing.txt'}"])


# ----------------------------------------------------------------- one command for the term


@pytest.fixture
def term(tmp_path: Path) -> dict[str, object]:
    """Three groups: a remote that pushed after the deadline, a local folder, and a blank row."""
    work = make_project(tmp_path / "work", when=BEFORE)
    remove_file(work, "Dockerfile", when=AFTER)
    url = bare_copy(work, tmp_path / "remote.git")
    local = make_project(tmp_path / "group-2", docker=False, when=BEFORE)
    groups = tmp_path / "group_info.csv"
    groups.write_text(HEADER + f"1,s1,s2,,,,{url}\n2,=HYPERLINK(1),,,,,{local.name}\n3,s5,,,,,\n")
    return {"groups": groups, "url": url, "local": local, "cache": tmp_path / "cache"}


def cohort_run(term: dict[str, object], *options: str) -> int:
    return main(
        ["--groups", str(term["groups"]), "--deadline", DEADLINE, "--cache", str(term["cache"]), *options]
    )


def test_the_gradebook_has_a_row_per_group_with_the_commit_and_the_commits_after(
    term: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "grades.csv"
    out.parent.mkdir()
    assert cohort_run(term, "-f", "gradebook", "-o", str(out)) == 2  # group 3 has no repository
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert tuple(rows[0]) == GRADEBOOK_COLUMNS
    first, second, third = rows
    assert (first["group"], first["students"], first["repo"]) == ("1", "s1; s2", term["url"])
    assert len(first["commit"]) == 40 and first["commits_after_deadline"] == "1"
    assert first["deadline"] == "2026-01-23T23:59:00+01:00" and first["confirmed"] != ""
    assert "m13.profiling" in first["unsupported_items"].split() and first["error"] == ""
    assert second["students"] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet
    assert second["unsupported_items"].split() == ["m10.dockerfiles", "m13.profiling"]
    assert third["error"] == "group_info.csv line 4: no repository given" and third["score"] == ""
    stderr = capsys.readouterr().err
    assert "verify: group 3: group_info.csv line 4: no repository given" in stderr
    assert (out.parent / "mlops-verifier.sqlite").is_file()  # the database beside the output


def test_every_jsonl_line_is_the_per_repository_contract_with_the_group(
    term: dict[str, object], tmp_path: Path
) -> None:
    out = tmp_path / "results.jsonl"
    cohort_run(term, "-f", "jsonl", "-o", str(out), "--no-db")
    lines = out.read_text().splitlines()
    assert len(lines) == 3 and not (tmp_path / "mlops-verifier.sqlite").exists()
    validator = jsonschema.Draft202012Validator(SCHEMA)
    objects = [json.loads(line) for line in lines]
    for data in objects:
        validator.validate(data)
    assert objects[0]["cohort"]["group"] == "1" and objects[0]["cohort"]["commits_after_deadline"] == 1
    assert objects[0]["commit"] == objects[0]["cohort"]["commit"]
    assert objects[2]["error"] == "group_info.csv line 4: no repository given"
    assert objects[2]["cohort"]["students"] == ["s5"]


def test_gradescope_gets_a_results_json_per_group(term: dict[str, object], tmp_path: Path) -> None:
    folder = tmp_path / "gradescope"
    cohort_run(term, "-f", "gradescope", "-o", str(folder))
    files = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("results.json"))
    assert files == ["group-1/results.json", "group-2/results.json", "group-3/results.json"]
    data = json.loads((folder / "group-1" / "results.json").read_text())
    assert set(data) == {"score", "output", "output_format", "visibility", "extra_data", "tests"}
    assert data["score"] == sum(test["score"] for test in data["tests"])
    assert all(test["max_score"] == 1.0 and test["status"] in ("passed", "failed") for test in data["tests"])
    profiling = next(test for test in data["tests"] if test["name"].startswith("m13.profiling"))
    assert profiling["status"] == "failed" and profiling["score"] == GRADESCOPE_POINTS["unsupported"]
    assert data["extra_data"]["group"] == "1" and data["extra_data"]["commits_after_deadline"] == 1
    assert "1 commits after the deadline" in data["output"]
    failed = json.loads((folder / "group-3" / "results.json").read_text())
    assert failed["score"] == 0.0 and failed["tests"] == [] and "no repository given" in failed["output"]


def test_classic_formats_work_on_a_cohort_too(
    term: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    cohort_run(term, "-f", "csv", "--no-db")
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["error"] != "" for row in rows] == [False, False, True]
    assert "verified as of the deadline" in rows[0]["warning_texts"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["-f", "gradescope"], "give the folder with -o DIR"),
        (["--ref", "main"], "--ref checks out one ref of one URL"),
        (["--deadline", "2026-01-23"], "has no time zone"),
        (["--db", "x.sqlite", "--no-db"], "contradict"),
    ],
)
def test_cohort_options_that_do_not_fit_are_one_line_errors(
    tmp_path: Path, options: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    groups = tmp_path / "groups.csv"
    groups.write_text(HEADER + "1,s1,,,,,https://github.com/o/r\n")
    assert main(["--groups", str(groups), *options]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_list_file_works_like_the_paths_it_lists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    projects = [make_project(tmp_path / f"p{n}", when=BEFORE) for n in range(2)]
    listing = tmp_path / "repos.txt"
    listing.write_text("".join(f"{p}\n" for p in projects))
    assert main([f"@{listing}", "-f", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["repo"] for row in rows] == [str(p) for p in projects]


def run_in_terminal(arguments: list[str], cwd: Path) -> tuple[int, str]:
    """`verify ARGUMENTS` with stderr on a pseudo-terminal; its exit code and what the terminal showed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "verifier.cli", *arguments],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return process.wait(timeout=60), shown.decode(errors="replace")


def test_a_progress_line_is_shown_on_a_terminal_only(tmp_path: Path) -> None:
    projects = [str(make_project(tmp_path / f"p{n}", when=BEFORE)) for n in range(2)]
    options = [*projects, "-f", "gradebook", "-o", str(tmp_path / "g.csv"), "--cache", str(tmp_path / "c")]
    code, shown = run_in_terminal(options, tmp_path)
    assert code == 0
    assert "\r[2/2] done 2 · failed 0 · cached 0" in shown
    code, shown = run_in_terminal(options, tmp_path)
    assert "\r[2/2] done 2 · failed 0 · cached 2" in shown  # the second run reads the database
    quiet = subprocess.run(
        [sys.executable, "-m", "verifier.cli", *options],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert quiet.stderr == ""


def test_ctrl_c_keeps_every_stored_result_and_the_same_command_resumes(tmp_path: Path) -> None:
    projects = [make_project(tmp_path / f"p{n:02d}", when=BEFORE) for n in range(24)]
    listing = tmp_path / "repos.txt"
    listing.write_text("".join(f"{p}\n" for p in projects))
    database = tmp_path / "out" / "mlops-verifier.sqlite"
    database.parent.mkdir()
    command = [sys.executable, "-m", "verifier.cli", f"@{listing}", "-f", "gradebook", "--jobs", "1"]
    command += ["-o", str(database.parent / "grades.csv"), "--cache", str(tmp_path / "cache")]
    process = subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if database.exists() and ResultsDB(database).count() >= 3:
            break
        time.sleep(0.005)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "verify: stopped by SIGINT" in stderr and "run the same command again to resume" in stderr
    stored = ResultsDB(database).count()
    assert 3 <= stored < 24
    assert not (database.parent / "grades.csv").exists()
    again = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert ResultsDB(database).count() == 24
    rows = list(csv.DictReader(io.StringIO((database.parent / "grades.csv").read_text())))
    assert [row["repo"] for row in rows] == [str(p) for p in projects]
