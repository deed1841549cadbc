"""M28 System monitoring, cloud monitoring and alerts (and the two older monitoring items)."""

import re

from verifier.checks import trace_search, usage_or_dependency
from verifier.evidence import Evidence, Status
from verifier.repo import Repo
from verifier.rule import Rule, Trace, checked
from verifier.rules.m22_api import fastapi_apps
from verifier.rules.m27_drift import DriftRobustness
from verifier.textsearch import prepared

METRICS_ROUTE = re.compile(r"[\"']/metrics[\"']")
CLOUD_MONITORING = prepared(
    r"cloud-run-gmp-sidecar|RunMonitoring|managed.?prometheus|opentelemetry|google\.cloud\.monitoring|monitoring_v3"
)
ALERTING = prepared(
    r"gcloud\s+(alpha\s+|beta\s+)?monitoring\s+(policies|channels)|google_monitoring_alert_policy|AlertPolicy"
    r"|alertPolicies|notificationChannels|conditionThreshold|conditionAbsent"
)


class SystemMetrics(Rule):
    """prometheus_client metrics with a /metrics endpoint, a Prometheus instrumentator, starlette_exporter's
    middleware or OpenTelemetry's FastAPI instrumentation, in the API."""

    id = "m28.metrics"
    modules = ("M28",)
    title = "API instrumented with system metrics"
    texts = ("Instrument your API with a couple of system metrics",)

    def check(self, repo: Repo) -> Evidence:
        metrics = repo.call_locations(
            "prometheus_client.Counter",
            "prometheus_client.Histogram",
            "prometheus_client.Gauge",
            "prometheus_client.Summary",
            "make_asgi_app",
            "Instrumentator",
            "generate_latest",
            "FastAPIInstrumentor.instrument_app",  # OpenTelemetry
            "MeterProvider",
        )
        metrics += repo.imports("starlette_exporter", "opentelemetry.instrumentation.fastapi")
        metrics += [r for _, routes in fastapi_apps(repo) for r in routes if METRICS_ROUTE.search(r.snippet)]
        return usage_or_dependency(
            repo,
            metrics,
            what="Prometheus metrics",
            distributions=(
                "prometheus-client",
                "prometheus-fastapi-instrumentator",
                "starlette-exporter",
                "opentelemetry-instrumentation-fastapi",
            ),
            looked_for=(
                "prometheus_client Counter/Histogram/Gauge with a /metrics endpoint",
                "prometheus-fastapi-instrumentator",
            ),
        )


class CloudMonitoring(Rule):
    """A monitoring sidecar or managed Prometheus config, or Cloud Monitoring client code. Work done
    only in the GCP console leaves no trace: then unverifiable, not absent."""

    id = "m28.cloud-monitoring"
    trace = Trace.CONSOLE
    modules = ("M28",)
    title = "Cloud monitoring of the instrumented application"
    texts = ("Setup cloud monitoring of your instrumented application",)

    def check(self, repo: Repo) -> Evidence:
        traces = trace_search(
            repo,
            CLOUD_MONITORING,
        )
        traces += repo.imports("google.cloud.monitoring", "google.cloud.monitoring_v3", "opentelemetry")
        if traces:
            return Evidence.found("Cloud monitoring is configured.", traces)
        return Evidence.unverifiable(
            "No monitoring config was found; monitoring set up in the GCP console leaves no file.",
            (
                "a Cloud Run monitoring sidecar / managed Prometheus config",
                "google-cloud-monitoring or OpenTelemetry code",
            ),
        )


class Alerts(Rule):
    """Alert policy files, or gcloud/terraform alerting resources. Alerts made in the console leave
    no trace: then unverifiable, not absent."""

    id = "m28.alerts"
    trace = Trace.CONSOLE
    modules = ("M28",)
    title = "Alert systems in GCP"
    texts = ("Create one or more alert systems in GCP to alert you if your app is not behaving correctly",)

    def check(self, repo: Repo) -> Evidence:
        traces = trace_search(
            repo,
            ALERTING,
        )
        if traces:
            return Evidence.found("Alerting is configured in the repository.", traces)
        return Evidence.unverifiable(
            "No alert policy was found; alerts made in the GCP console leave no file.",
            ("alert policy files", "gcloud monitoring policies", "terraform google_monitoring_alert_policy"),
        )


class OldSystemTelemetry(Rule):
    """2022-2024 wording: monitoring of the deployed model's system telemetry (metrics exposed by the
    app, a monitoring config); console-only work is unverifiable."""

    id = "m28.old-telemetry"
    trace = Trace.CONSOLE
    modules = ("M28",)
    title = "Monitoring of system telemetry (2022-24 wording)"
    texts = (
        "Setup monitoring for the system telemetry of your deployed model",
        "Monitored the system of your deployed model",
    )

    def check(self, repo: Repo) -> Evidence:
        evidence = checked(SystemMetrics, repo)
        if evidence.status is Status.ABSENT:
            monitoring = checked(CloudMonitoring, repo)
            return (
                monitoring
                if monitoring.status is Status.FOUND
                else Evidence.unverifiable(
                    "No telemetry code or config was found; console monitoring leaves no file.",
                    evidence.looked_for + monitoring.looked_for,
                )
            )
        return evidence


class OldPerformanceMonitoring(Rule):
    """2022-2024 wording: monitoring of the deployed model's performance (drift or prediction
    monitoring code); console-only work is unverifiable."""

    id = "m28.old-performance"
    trace = Trace.CONSOLE
    modules = ("M28",)
    title = "Monitoring of model performance (2022-24 wording)"
    texts = (
        "Setup monitoring for the performance of your deployed model",
        "Monitored the performance of your deployed model",
    )

    def check(self, repo: Repo) -> Evidence:
        evidence = checked(DriftRobustness, repo)
        if evidence.status is Status.ABSENT:
            return Evidence.unverifiable(
                "No drift or prediction monitoring code was found; console monitoring leaves no file.",
                evidence.looked_for,
            )
        return evidence
