"""M16 tests and coverage: a model test named after a transformer is not a data test; an empty
test_data.py is no evidence; coverage installed but never run is not a run."""

from __future__ import annotations

import pytest

from verifier.evidence import Status

from conftest import check


def test_transformer_model_test_is_a_model_test_not_a_data_test(fixture_repo) -> None:
    repo = fixture_repo("rules/m16.data-tests/near-miss-transformer-model-test")
    data = check("m16.data-tests", repo)
    assert data.status is Status.ABSENT
    assert any("data code" in item for item in data.looked_for)
    model = check("m16.model-tests", repo)
    assert model.status is Status.FOUND
    assert (model.locations[0].path, model.locations[0].line) == ("tests/test_model.py", 6)


def test_commented_out_data_tests_are_absent_and_named(make_repo) -> None:
    repo = make_repo({"tests/test_data.py": "# def test_len():\n#     assert len(MyDataset()) > 0\n"})
    ev = check("m16.data-tests", repo)
    assert ev.status is Status.ABSENT
    assert "tests/test_data.py defines no test function" in ev.message


def test_pytest_cov_install_only_is_not_a_coverage_run(make_repo) -> None:
    wf = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pip install pytest-cov\n      - run: pytest\n"
    ev = check("m16.coverage", make_repo({".github/workflows/t.yaml": wf}))
    assert ev.status is Status.UNVERIFIABLE
    assert any("--cov" in item for item in ev.looked_for)


def test_pytest_cov_in_workflow_is_found(make_repo) -> None:
    wf = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest --cov=src tests/\n"
    ev = check("m16.coverage", make_repo({".github/workflows/t.yaml": wf}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == (".github/workflows/t.yaml", 6)


def test_template_omit_setting_alone_is_template(fixture_repo) -> None:
    ev = check("m16.coverage", fixture_repo("rules/m16.coverage/template"))
    assert ev.status is Status.TEMPLATE
    assert (ev.locations[0].path, ev.locations[0].line) == ("pyproject.toml", 4)


def test_coverage_settings_beyond_the_template_are_found(fixture_repo) -> None:
    ev = check("m16.coverage", fixture_repo("rules/m16.coverage/found-config"))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("pyproject.toml", 4)


def test_empty_coverage_section_is_weak(fixture_repo) -> None:
    ev = check("m16.coverage", fixture_repo("rules/m16.coverage/weak"))
    assert ev.status is Status.WEAK
    assert ev.locations[0].path == "pyproject.toml"


def test_coverage_run_documented_in_docs_is_found(make_repo) -> None:
    doc = "# CI\n\nWe measure coverage with:\n\n    coverage run -m pytest tests/\n"
    ev = check("m16.coverage", make_repo({"docs/ci.md": doc}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("docs/ci.md", 5)


@pytest.mark.parametrize("name", ["test_dataloader.py", "test_data_loading.py", "test_load_data.py"])
def test_data_tests_named_after_loading_are_data_tests(make_repo, name: str) -> None:
    test = "from proj.data import load\n\n\ndef test_len():\n    assert len(load()) == 10\n"
    ev = check("m16.data-tests", make_repo({f"tests/{name}": test}))
    assert ev.status is Status.FOUND and ev.locations[0].path == f"tests/{name}"


def test_a_locust_file_among_the_tests_is_no_data_test(make_repo) -> None:
    test = "from proj.data import load\n\n\ndef test_len():\n    assert len(load()) == 10\n"
    assert check("m16.data-tests", make_repo({"tests/locust_load_test.py": test})).status is Status.ABSENT


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("pyproject.toml", '[project]\nname = "p"\n\n[tool.pytest.ini_options]\naddopts = "--cov=src"\n'),
        ("pytest.ini", "[pytest]\naddopts = -q --cov=src --cov-report=term\n"),
        ("setup.cfg", "[coverage:run]\nsource = src\n"),
    ],
)
def test_coverage_configured_in_pytest_or_setup_cfg_is_found(make_repo, path: str, text: str) -> None:
    ev = check("m16.coverage", make_repo({path: text}))
    assert ev.status is Status.FOUND and any(loc.path == path for loc in ev.locations)


def test_a_package_named_like_a_model_does_not_make_data_tests_model_tests(make_repo) -> None:
    test = "from mnist_classifier.data import normalize\n\n\ndef test_normalize():\n    assert normalize([1]) == [0]\n"
    repo = make_repo({"src/mnist_classifier/__init__.py": "", "tests/test_data.py": test})
    assert check("m16.model-tests", repo).status is Status.ABSENT
    assert check("m16.data-tests", repo).status is Status.FOUND


def test_coverage_in_a_list_form_addopts_is_found(make_repo) -> None:
    pyproject = (
        '[project]\nname = "p"\n\n[tool.pytest.ini_options]\naddopts = [\n  "-q",\n  "--cov=src",\n]\n'
    )
    ev = check("m16.coverage", make_repo({"pyproject.toml": pyproject}))
    assert ev.status is Status.FOUND and ev.locations[0].path == "pyproject.toml"


PLACEHOLDER_MODEL_TESTS = '''from torch.utils.data import Dataset

from digits.data import MyDataset


def test_model():
    """Test the model."""
    pass


def test_training():
    # TODO: write a real test
    assert True


def test_my_dataset():
    """Test the MyDataset class."""
    dataset = MyDataset("data/raw")
    assert isinstance(dataset, Dataset)
'''


def test_placeholder_model_tests_are_template_not_found(make_repo) -> None:
    ev = check("m16.model-tests", make_repo({"tests/test_model.py": PLACEHOLDER_MODEL_TESTS}))
    assert ev.status is Status.TEMPLATE, ev.message
    assert [loc.line for loc in ev.locations] == [6, 11, 16]
    assert "placeholder" in ev.message


def test_placeholder_data_tests_are_template_not_found(make_repo) -> None:
    data = 'def test_data():\n    """\n    Check the data.\n    """\n    ...\n'
    ev = check("m16.data-tests", make_repo({"tests/test_data.py": data}))
    assert ev.status is Status.TEMPLATE and ev.locations[0].line == 1


def test_a_one_line_real_test_next_to_placeholders_is_found(make_repo) -> None:
    real = (
        PLACEHOLDER_MODEL_TESTS
        + '\n\ndef test_output_shape():\n    """Shape."""\n    assert MyModel()(torch.zeros(1, 1, 28, 28)).shape == (1, 10)\n'
    )
    ev = check("m16.model-tests", make_repo({"tests/test_model.py": real}))
    assert ev.status is Status.FOUND
    assert [loc.line for loc in ev.locations] == [22]


def test_a_string_literal_in_a_test_body_is_no_docstring(make_repo) -> None:
    code = 'def test_prompt():\n    loaded = load_data("""a prompt""")\n    assert True\n'
    ev = check("m16.data-tests", make_repo({"tests/test_data.py": code}))
    assert ev.status is Status.FOUND


OLD_PLACEHOLDER_LINE = (  # the pattern before the closing ")" was checked in code: the oracle
    r"pass|\.\.\.|return|assert\s+(True|1|1\s*==\s*1)|raise\s+NotImplementedError(\(.*\))?"
    r"|dataset\s*=\s*MyDataset\([\"']data/raw[\"']\)|assert\s+isinstance\(dataset,\s*Dataset\)"
)


@pytest.mark.parametrize(
    "line",
    [
        "raise NotImplementedError",
        "raise NotImplementedError()",
        'raise NotImplementedError("f(x) is not written yet")',
        "raise NotImplementedError(",
        "raise NotImplementedError(x",
        'raise NotImplementedError("x") from error',
        "raise NotImplementedError()()",
        "raise  NotImplementedError(')')",
        "raise NotImplementedErrors()",
        "pass",
        "return",
        "assert 1 == 1",
        "x = 1",
    ],
)
def test_a_placeholder_line_is_told_as_the_whole_line_pattern_told_it(line: str) -> None:
    """`raise NotImplementedError(...)` is a placeholder exactly when its parentheses close the line, as the
    pattern that looked for the last ")" said (that pattern took quadratic time on a long line)."""
    import re

    from verifier.rules import m16_testing

    assert m16_testing._is_placeholder_line(line) == bool(re.fullmatch(OLD_PLACEHOLDER_LINE, line))
