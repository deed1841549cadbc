"""M10 Docker: the group's Dockerfiles and whether they are built."""

import re

from verifier.checks import AUTOMATION_GLOBS
from verifier.evidence import Evidence
from verifier.repo import Repo
from verifier.rule import Rule, Trace
from verifier.textsearch import prepared

DOCKERFILE_NAMES = ("Dockerfile", "Dockerfile.*", "*.dockerfile", "*.Dockerfile")


COMPOSE_BUILD = prepared(r"\bbuild\s*:")
DOCUMENTED_BUILD = prepared(r"docker\s+build\b")


class Dockerfiles(Rule):
    """Dockerfile, Dockerfile.* or *.dockerfile files with a FROM instruction anywhere in the
    repository. Files that are untouched copies of the template's dockerfiles are template."""

    id = "m10.dockerfiles"
    modules = ("M10",)
    title = "One or more Dockerfiles"
    texts = ("Construct one or multiple docker files for your code",)

    def check(self, repo: Repo) -> Evidence:
        real = [d for d in repo.dockerfiles if d.get("FROM")]
        if not real:
            return Evidence.absent(
                "No Dockerfile with a FROM instruction was found.",
                looked_for=DOCKERFILE_NAMES,
            )
        own = [d for d in real if repo.template_match(d.path) is None]
        locations = [repo.location(d.path, d.get("FROM")[0][0]) for d in (own or real)]
        if not own:
            return Evidence.template("Only the template's untouched Dockerfiles were found.", locations)
        names = ", ".join(d.path for d in own[:4])
        return Evidence.found(f"{len(own)} Dockerfile(s): {names}.", locations)


# The course template's invoke task `docker_build`, kept as it was in a tasks.py the group changed otherwise.
TEMPLATE_TASK_BUILD = re.compile(
    r"docker build -t (train|api):latest \. -f dockerfiles/(train|api)\.dockerfile( --progress=\{progress\})?[\"']"
)
# A build command; `.{0,300}`: words on the same line at most 300 characters apart, so a long line of
# repeats is scanned in linear time.
BUILD_COMMAND = prepared(
    r"docker(\s+buildx)?\s+build\b|docker[- ]compose\b.{0,300}\b(build|up)\b|gcr\.io/cloud-builders/docker|"
    r"docker/build-push-action|gcloud builds submit|kaniko"
)
CLOUDBUILD_BUILD_STEP = re.compile(r"cloud-builders/docker|\bbuild\b.{0,300}-t\b|kaniko", re.IGNORECASE)


class DockerBuild(Rule):
    """A build wired somewhere that runs: a workflow or Cloud Build step building the Dockerfile,
    docker-compose, or a task. Instructions only are weak; the course template's own docker_build task
    (also inside a tasks.py changed otherwise) is template; local builds leave no trace otherwise."""

    id = "m10.docker-build"
    trace = Trace.CONSOLE
    modules = ("M10",)
    title = "Docker images built and working"
    texts = ("Build the docker files locally and make sure they work as intended",)

    def check(self, repo: Repo) -> Evidence:
        if not [d for d in repo.dockerfiles if d.get("FROM")]:
            return Evidence.absent("No Dockerfile to build.", DOCKERFILE_NAMES)
        wired = repo.search(BUILD_COMMAND, *AUTOMATION_GLOBS, limit=8)
        wired += [loc for loc in repo.cloudbuild_steps(CLOUDBUILD_BUILD_STEP) if loc not in wired]
        wired += [
            repo.location(w.path, s.line or None, s.uses)
            for w in repo.workflows
            for s in w.steps_using("docker/build-push-action")
        ]
        compose = [
            repo.location(p, 1, p)
            for p in repo.glob("docker-compose*.yaml", "docker-compose*.yml", "compose*.yaml", "compose*.yml")
            if repo.search(COMPOSE_BUILD, p, limit=1)
        ]
        template = [
            loc
            for loc in wired
            if repo.template_match(loc.path) is not None or TEMPLATE_TASK_BUILD.search(loc.snippet)
        ]
        own = [loc for loc in wired + compose if loc not in template]
        if own:
            return Evidence.found("Docker builds are wired into automation.", own)
        documented = repo.search(DOCUMENTED_BUILD, "*.md", limit=4)
        if documented:
            return Evidence.weak(
                "Docker build commands appear only in instructions or template files.", documented + template
            )
        if template:
            return Evidence.template(
                "The only docker builds are the course template's (its docker_build task or untouched files).",
                template,
            )
        return Evidence.unverifiable(
            "Local docker builds leave no trace in a repository, and no build is wired into CI, tasks or compose files.",
            ("docker build in workflows, tasks.py, Makefile, scripts, cloudbuild or docker-compose",),
        )
