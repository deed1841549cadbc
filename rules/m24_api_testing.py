"""M24 API testing and load testing."""

from verifier.rule import Rule


class ApiTests(Rule):
    """Tests using TestClient/httpx against the app that a workflow runs; tests not run in CI are
    weak, the empty template test_api.py is template."""

    id = "m24.api-tests"
    modules = ("M24",)
    title = "API tests run in continuous integration"
    texts = ("Write API tests for your application and setup continues integration for these",)


class LoadTest(Rule):
    """A locustfile (HttpUser) or a k6/vegeta script; the dependency alone is weak."""

    id = "m24.load-test"
    modules = ("M24",)
    title = "Load testing of the application"
    texts = ("Load test your application",)
