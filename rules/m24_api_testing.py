"""M24 API testing and load testing."""

import re

from verifier.checks import LOAD_TEST_FILE, TEST_COMMAND, usage_or_dependency
from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.rule import Rule
from verifier.rules.m22_api import fastapi_apps, imported_own_modules, module_files
from verifier.textsearch import prepared

# Clients that call an API in a test: FastAPI/Starlette TestClient, Flask's test client, httpx, requests,
# aiohttp, urllib, and BentoML's HTTP clients.
API_CLIENTS = (
    "TestClient",
    "test_client",
    "FlaskClient",
    "httpx.AsyncClient",
    "httpx.Client",
    "AsyncClient",
    "httpx.get",
    "httpx.post",
    "requests.get",
    "requests.post",
    "requests.put",
    "requests.request",
    "requests.Session",
    "aiohttp.ClientSession",
    "urllib.request.urlopen",
    "bentoml.SyncHTTPClient",
    "bentoml.AsyncHTTPClient",
    "bentoml.client.Client.from_url",
    "bentoml.HTTPServer",
)
# A server the test starts itself: `bentoml serve`, uvicorn, gunicorn, `flask run`, `fastapi run`.
TESTS_PATH = re.compile(r"tests?/\S+")
SERVER_COMMAND = re.compile(r"\b(bentoml\s+serve|uvicorn|gunicorn|flask\s+run|fastapi\s+(run|dev))\b")


def serving_modules(repo: Repo) -> set[str]:
    """The group's modules that serve a model over HTTP: FastAPI apps, Flask apps, BentoML services
    (`@bentoml.service` or `bentoml.Service(...)`) and LitServe APIs."""
    found = {path for path, _ in fastapi_apps(repo)}
    found |= {path for path, _ in repo.calls("flask.Flask", "bentoml.Service", "litserve.LitServer")}
    found |= {loc.path for loc in repo.decorators("bentoml.service")}
    found |= {loc.path for loc in repo.subclasses("litserve.LitAPI")}
    return {path for path in found if not repo.is_test(path)}


def api_test_calls(repo: Repo) -> list[Location]:
    """Where tests call an API: HTTP and test clients (API_CLIENTS), a server started in a subprocess
    (`bentoml serve`, uvicorn), and imports of an own serving module (a BentoML service called directly)
    in a test file that has test functions. Load-test scripts come last."""
    found = [
        loc for loc in repo.call_locations(*API_CLIENTS, paths=repo.test_files) if "locust" not in loc.path
    ]
    services = serving_modules(repo)
    for path in repo.test_files:
        facts = repo.python(path)
        if not any(f.is_test for f in facts.functions):
            continue
        found += [
            repo.location(path, call.line)
            for call in facts.calls_to("subprocess.Popen", "subprocess.run", "subprocess.check_call")
            if SERVER_COMMAND.search(_command_text(call.args))
        ]
        imported = set(imported_own_modules(repo, path)) & services
        found += [
            repo.location(path, line)
            for module, line in facts.imports
            if imported & set(module_files(repo, module, path))
        ][:2]
    found.sort(key=lambda loc: bool(LOAD_TEST_FILE.search(loc.path.rsplit("/", 1)[-1])))
    return found


def _command_text(args: tuple[object, ...]) -> str:
    """A subprocess call's command as one line: `["bentoml", "serve", "svc"]` is `bentoml serve svc`."""
    return " ".join(" ".join(map(str, arg)) if isinstance(arg, list) else str(arg) for arg in args)


class ApiTests(Rule):
    """Tests of whatever serves the model, run by a workflow: a FastAPI TestClient, Flask's test client,
    httpx/requests against the app or a server the test starts (`bentoml serve`, uvicorn in a subprocess),
    BentoML clients, or a BentoML service (or other serving module) called directly. Tests not run in CI
    are weak; the empty template test_api.py is template."""

    id = "m24.api-tests"
    modules = ("M24",)
    title = "API tests run in continuous integration"
    texts = ("Write API tests for your application and setup continues integration for these",)

    def check(self, repo: Repo) -> Evidence:
        clients = api_test_calls(repo)
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
                (
                    "tests calling the app through TestClient, Flask's test_client, httpx or requests",
                    "tests calling a BentoML service, directly or through `bentoml serve`",
                ),
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
            if not TESTS_PATH.search(r.snippet)
            or any(d in r.snippet for d in test_dirs)
            or "tests/ " in r.snippet + " "
        ]
        if targeted:
            return Evidence.found(
                "API tests exist and a workflow runs the test suite.", clients[:3] + targeted[:3]
            )
        return Evidence.weak("API tests exist, but no workflow runs them.", clients)


LOAD_TEST_COMMAND = prepared(
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
