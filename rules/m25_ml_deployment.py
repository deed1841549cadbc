"""M25 ML deployment: ONNX and BentoML."""

from verifier.checks import usage_or_dependency
from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.rule import Rule


class OnnxBentoml(Rule):
    """torch.onnx.export, onnxruntime.InferenceSession, optimum's ONNX Runtime classes or ONNX exporter
    (optimum.onnxruntime, optimum.exporters.onnx) or bentoml.service in the group's code; the dependency
    or a copied course exercise file is weak."""

    id = "m25.onnx-bentoml"
    modules = ("M25",)
    title = "Specialized ML deployment API with ONNX or BentoML"
    texts = ("Create a more specialized ML-deployment API using either ONNX or BentoML, or both",)

    def check(self, repo: Repo) -> Evidence:
        uses = repo.call_locations(
            "torch.onnx.export",
            "torch.onnx.dynamo_export",
            "onnxruntime.InferenceSession",
            "to_onnx",
            "bentoml.Service",
        )
        uses += repo.imports("optimum.onnxruntime", "optimum.exporters.onnx")
        uses += repo.decorators("bentoml.service", "bentoml.api")
        uses += [Location(p, 1, p) for p in repo.glob("bentofile.yaml")]
        return usage_or_dependency(
            repo,
            uses,
            what="ONNX or BentoML",
            distributions=("onnx", "onnxruntime", "onnxruntime-gpu", "bentoml"),
            looked_for=(
                "torch.onnx.export",
                "onnxruntime.InferenceSession",
                "optimum.onnxruntime ORTModel*",
                "@bentoml.service / bentofile.yaml",
            ),
        )
