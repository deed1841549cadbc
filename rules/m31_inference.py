"""M31 Scalable inference: quantization, compilation, pruning."""

from verifier.evidence import Evidence
from verifier.repo import Repo
from verifier.rule import Rule


class InferenceOptimization(Rule):
    """torch quantization (dynamic, or eager static prepare + convert), torch.nn.utils.prune or
    Lightning's ModelPruning callback, torch.compile or TorchScript (torch.jit, Lightning's
    to_torchscript()), ONNX quantization or optimum in the group's code. A word like "prune" in a data
    step is not pruning, and a bare convert()/prepare() (PIL, tokenizers) is not quantization."""

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
            "to_torchscript",
            "quantize_static",
            "onnxruntime.quantization.quantize_dynamic",
            "l1_unstructured",
            "random_unstructured",
            "global_unstructured",
            "ln_structured",
            "ModelPruning",
            "torch.quantization.prepare",
            "torch.quantization.convert",
            "torch.ao.quantization.prepare",
            "torch.ao.quantization.convert",
            "torch.quantization.prepare_qat",
            "torch.ao.quantization.prepare_qat",
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
