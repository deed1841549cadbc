"""M31 Scalable inference: quantization, compilation, pruning."""

from verifier.evidence import Evidence
from verifier.repo import Repo
from verifier.rule import Rule


class InferenceOptimization(Rule):
    """torch quantization, torch.nn.utils.prune, torch.compile or TorchScript, or ONNX quantization
    in the group's code. A word like "prune" in a data step is not pruning."""

    id = "m31.inference-optimization"
    modules = ("M31",)
    title = "Quantization, compilation or pruning for faster inference"
    texts = (
        "Play around with quantization, compilation and pruning for you trained models to increase inference "
        "speed",
        "Play around with quantization and compilation for you trained models",
    )

    def check(self, repo: Repo) -> Evidence:
        uses = repo.call_locations(
            "torch.quantization.quantize_dynamic",
            "torch.ao.quantization.quantize_dynamic",
            "quantize_dynamic",
            "torch.quantize_per_tensor",
            "prepare_fx",
            "convert_fx",
            "torch.compile",
            "torch.jit.script",
            "torch.jit.trace",
            "quantize_static",
            "onnxruntime.quantization.quantize_dynamic",
            "l1_unstructured",
            "random_unstructured",
            "global_unstructured",
            "ln_structured",
        )
        uses += repo.imports(
            "torch.nn.utils.prune",
            "torch.ao.quantization",
            "torch.quantization",
            "onnxruntime.quantization",
            "optimum",
        )
        if uses:
            return Evidence.found("Quantization, compilation or pruning is applied to the model.", uses)
        return Evidence.absent(
            "No quantization, compilation or pruning was found.",
            (
                "torch quantization",
                "torch.nn.utils.prune",
                "torch.compile / TorchScript",
                "ONNX quantization",
            ),
        )
