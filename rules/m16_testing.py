"""M16 Unit testing and coverage."""

from verifier.rule import Rule


class DataTests(Rule):
    """Test functions that exercise the group's data code and assert something; the template's
    single test_data.py test is template."""

    id = "m16.data-tests"
    modules = ("M16",)
    title = "Unit tests for the data part"
    texts = ("Write unit tests related to the data part of your code",)


class ModelTests(Rule):
    """Tests that build or train the group's model and assert something; an empty test_model.py is
    template."""

    id = "m16.model-tests"
    modules = ("M16",)
    title = "Unit tests for model construction or training"
    texts = (
        "Write unit tests related to model construction and or model training",
        "Write unit tests related to model construction",
    )


class Coverage(Rule):
    """coverage or pytest-cov run in CI, tasks or docs beyond the template, coverage configuration
    with settings, or committed coverage reports."""

    id = "m16.coverage"
    modules = ("M16",)
    title = "Code coverage calculated"
    texts = ("Calculate the code coverage", "Calculate the coverage.")
