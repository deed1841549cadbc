"""M24 API testing and load testing."""

import re

from verifier.checks import LOAD_TEST_FILE, TEST_COMMAND, usage_or_dependency
from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.rule import Rule


class ApiTests(Rule):
    """Tests using TestClient/httpx against the app that a workflow runs; tests not run in CI are
    weak, the empty template test_api.py is template."""

    id = "m24.api-tests"
    modules = ("M24",)
    title = "API tests run in continuous integration"
    texts = ("Write API tests for your application and setup continues integration for these",)

    def check(self, repo: Repo) -> Evidence:
        clients = repo.call_locations(
            "TestClient", "httpx.AsyncClient", "httpx.Client", "AsyncClient", paths=repo.test_files
        )
        clients += [
            loc
            for loc in repo.call_locations("requests.get", "requests.post", paths=repo.test_files)
            if "locust" not in loc.path
        ]
        clients.sort(key=lambda loc: bool(LOAD_TEST_FILE.search(loc.path.rsplit("/", 1)[-1])))
        if not clients:
            empty = [
                Location(p, None, "empty file")
                for p in repo.test_files
                if re.search(r"test_api", p) and not (repo.read(p) or "").strip()
            ]
            if empty:
                return Evidence.template("Only the template's empty test_api.py.", empty)
            no_tests = [
                p
                for p in repo.test_files
                if re.search(r"api", p.rsplit("/", 1)[-1], re.I)
                and not any(f.is_test for f in repo.python(p).functions)
            ]
            note = f" ({', '.join(no_tests)} defines no test function)" if no_tests else ""
            return Evidence.absent(
                f"No API tests were found{note}.",
                ("tests calling the app through TestClient, httpx or requests",),
            )
        runners = [
            repo.step_location(w.path, s, TEST_COMMAND)
            for w in repo.workflows
            for s in w.steps
            if s.runs_command(TEST_COMMAND)
        ]
        test_dirs = {loc.path.rsplit("/", 1)[0] for loc in clients}
        targeted = [
            r
            for r in runners
            if not re.search(r"tests?/\S+", r.snippet)
            or any(d in r.snippet for d in test_dirs)
            or "tests/ " in r.snippet + " "
        ]
        if targeted:
            return Evidence.found(
                "API tests exist and a workflow runs the test suite.", clients[:3] + targeted[:3]
            )
        return Evidence.weak("API tests exist, but no workflow runs them.", clients)


LOAD_TEST_COMMAND = (
    r"from\s+['\"]k6/http['\"]|\bvegeta\s+attack\b|\blocust\s+-f\b|\blocust\b.{0,300}--headless|"
    r"\bhey\s+-[nzc]\b|\bab\s+-n\s+\d|\bwrk\s+-[tcd]\s*\d"
)


class LoadTest(Rule):
    """A locustfile (HttpUser) or a k6/vegeta script; the dependency alone is weak."""

    id = "m24.load-test"
    modules = ("M24",)
    title = "Load testing of the application"
    texts = ("Load test your application",)

    def check(self, repo: Repo) -> Evidence:
        uses = repo.subclasses("HttpUser", "FastHttpUser", "locust.HttpUser")
        scripts = [
            p for p in repo.python_files if p.endswith(".py") and LOAD_TEST_FILE.search(p.rsplit("/", 1)[-1])
        ]
        uses += repo.call_locations(
            "httpx.AsyncClient",
            "aiohttp.ClientSession",
            "requests.post",
            "requests.get",
            "httpx.post",
            "httpx.get",
            paths=scripts,
        )
        uses += repo.search(
            LOAD_TEST_COMMAND,
            "*.js",
            "*.ts",
            "*.sh",
            "Makefile",
            "tasks.py",
            "*.yaml",
            "*.yml",
            limit=4,
        )
        return usage_or_dependency(
            repo,
            uses,
            what="load testing",
            distributions=("locust",),
            looked_for=("locustfile with an HttpUser", "k6 or vegeta scripts"),
        )
