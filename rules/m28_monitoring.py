"""M28 System monitoring, cloud monitoring and alerts (and the two older monitoring items)."""

from verifier.rule import Rule


class SystemMetrics(Rule):
    """prometheus_client metrics with a /metrics endpoint, or a Prometheus instrumentator, in the API."""

    id = "m28.metrics"
    modules = ("M28",)
    title = "API instrumented with system metrics"
    texts = ("Instrument your API with a couple of system metrics",)


class CloudMonitoring(Rule):
    """A monitoring sidecar or managed Prometheus config, or Cloud Monitoring client code. Work done
    only in the GCP console leaves no trace: then unverifiable, not absent."""

    id = "m28.cloud-monitoring"
    modules = ("M28",)
    title = "Cloud monitoring of the instrumented application"
    texts = ("Setup cloud monitoring of your instrumented application",)


class Alerts(Rule):
    """Alert policy files, or gcloud/terraform alerting resources. Alerts made in the console leave
    no trace: then unverifiable, not absent."""

    id = "m28.alerts"
    modules = ("M28",)
    title = "Alert systems in GCP"
    texts = ("Create one or more alert systems in GCP to alert you if your app is not behaving correctly",)


class OldSystemTelemetry(Rule):
    """2022-2024 wording: monitoring of the deployed model's system telemetry (metrics exposed by the
    app, a monitoring config); console-only work is unverifiable."""

    id = "m28.old-telemetry"
    modules = ("M28",)
    title = "Monitoring of system telemetry (2022-24 wording)"
    texts = (
        "Setup monitoring for the system telemetry of your deployed model",
        "Monitored the system of your deployed model",
    )


class OldPerformanceMonitoring(Rule):
    """2022-2024 wording: monitoring of the deployed model's performance (drift or prediction
    monitoring code); console-only work is unverifiable."""

    id = "m28.old-performance"
    modules = ("M28",)
    title = "Monitoring of model performance (2022-24 wording)"
    texts = (
        "Setup monitoring for the performance of your deployed model",
        "Monitored the performance of your deployed model",
    )
