"""M22 Requests and APIs: a FastAPI inference app."""

from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.rule import Rule

ROUTES = ("get", "post", "put", "websocket", "api_route")
MODEL_USE = (
    "torch.load",
    "load_state_dict",
    "load_from_checkpoint",
    "from_pretrained",
    "InferenceSession",
    "joblib.load",
    "pickle.load",
    "predict",
    "forward",
    "pipeline",
    "jit.load",
    "eval",
    "no_grad",
    "inference_mode",
)


def fastapi_apps(repo: Repo) -> list[tuple[str, list[Location]]]:
    """(path, route locations) of modules that create a FastAPI app (or APIRouter) and define routes."""
    apps = []
    for path in repo.code_files:
        facts = repo.python(path)
        if not facts.calls_to("fastapi.FastAPI", "fastapi.APIRouter"):
            continue
        routes = [
            repo.location(path, line) for name, line in facts.decorators if name.rsplit(".", 1)[-1] in ROUTES
        ]
        apps.append((path, routes))
    return apps


def imported_own_modules(repo: Repo, path: str) -> list[str]:
    """Paths of the group's own modules that the Python file `path` imports (absolute or relative)."""
    found = []
    for module, _ in repo.python(path).imports:
        dotted = module.lstrip(".").replace(".", "/")
        if not dotted:
            continue
        for candidate in repo.code_files:
            stem = candidate[:-3] if candidate.endswith(".py") else candidate
            if (
                (stem.endswith("/" + dotted) or stem == dotted)
                and candidate != path
                and candidate not in found
            ):
                found.append(candidate)
    return found


def uses_model(repo: Repo, path: str) -> bool:
    """The module loads or runs a model, or imports the group's own package code."""
    facts = repo.python(path)
    if facts.calls_to(*MODEL_USE):
        return True
    own = {p.rsplit("/", 1)[-1] for p in repo.package_dirs} | {"src", "models", "model"}
    return any(
        module.lstrip(".").split(".")[0] in own or module.startswith(".") for module, _ in facts.imports
    )


class FastApiApp(Rule):
    """A FastAPI app with a route that runs the group's model, wherever it lives (api/, app/,
    src/<pkg>/). An app without model use is weak; the empty template api.py is template."""

    id = "m22.fastapi"
    modules = ("M22",)
    title = "FastAPI application doing inference"
    texts = ("Create a FastAPI application that can do inference using your model",)

    def check(self, repo: Repo) -> Evidence:
        apps = [(path, routes) for path, routes in fastapi_apps(repo) if routes]
        serving = [(path, routes) for path, routes in apps if uses_model(repo, path)]
        if serving:
            return Evidence.found(
                f"A FastAPI app serves the model ({', '.join(p for p, _ in serving[:3])}).",
                [r for _, routes in serving for r in routes],
            )
        if apps:
            return Evidence.weak(
                "A FastAPI app exists, but its module loads or calls no model.",
                [r for _, routes in apps for r in routes],
            )
        empty = [
            Location(p, None, "empty file") for p in repo.glob("api.py") if not (repo.read(p) or "").strip()
        ]
        if empty:
            return Evidence.template("Only the template's empty api.py.", empty)
        return Evidence.absent(
            "No FastAPI app was found.", ("FastAPI() with @app.get/@app.post routes in the code",)
        )
