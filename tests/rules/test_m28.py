"""M28 monitoring beyond the fixture table: other metric libraries, and alert policy files."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from verifier.evidence import Status
from verifier.repo import Repo

from conftest import check


@pytest.mark.parametrize(
    "code",
    [
        "from fastapi import FastAPI\nfrom starlette_exporter import PrometheusMiddleware, handle_metrics\n\n"
        "app = FastAPI()\napp.add_middleware(PrometheusMiddleware)\n",
        "from fastapi import FastAPI\nfrom opentelemetry.instrumentation.fastapi import FastAPIInstrumentor\n\n"
        "app = FastAPI()\nFastAPIInstrumentor.instrument_app(app)\n",
    ],
)
def test_other_metric_instrumentation_of_the_api_is_found(make_repo: Callable[..., Repo], code: str) -> None:
    evidence = check("m28.metrics", make_repo({"src/p/api.py": code}))
    assert evidence.status is Status.FOUND and evidence.locations[0].path == "src/p/api.py"


def test_an_alert_policy_file_is_found(make_repo: Callable[..., Repo]) -> None:
    policy = (
        '{"displayName": "High latency", "combiner": "OR", "conditions": [{"displayName": "p99",'
        ' "conditionThreshold": {"filter": "metric.type=\\"run.googleapis.com/request_latencies\\""}}]}'
    )
    evidence = check("m28.alerts", make_repo({"monitoring/latency_policy.json": policy}))
    assert evidence.status is Status.FOUND and evidence.locations[0].path == "monitoring/latency_policy.json"


def test_alerts_without_a_trace_are_unverifiable(make_repo: Callable[..., Repo]) -> None:
    assert check("m28.alerts", make_repo({"src/p/api.py": "x = 1\n"})).status is Status.UNVERIFIABLE
