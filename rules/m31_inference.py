"""M31 Scalable inference: quantization, compilation, pruning."""

import re

from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.rule import Rule

# ONNX graph optimizers and simplifiers: onnxruntime's transformer optimizer (also the older
# onnxruntime_tools), onnxoptimizer, onnx-simplifier.
ONNX_OPTIMIZERS = ("onnxruntime_tools", "onnxruntime.transformers.optimizer", "onnxoptimizer", "onnxsim")
# The group's own pruning or quantization function: named for it, and reading or writing a model's weights
# (an ONNX initializer, a layer's weight, parameters(), a state_dict). `prune_rare(words)` is not it.
OWN_OPTIMIZATION = re.compile(r"prun|quantiz|sparsif", re.IGNORECASE)
TOUCHES_WEIGHTS = re.compile(r"initializer|\.weight\b|\bparameters\b|state_dict|raw_data|named_modules")


def own_weight_edits(repo: Repo) -> list[Location]:
    """Definitions of the group's own pruning/quantization functions (also in notebooks) whose calls
    name a model's weights (`np.frombuffer(initializer.raw_data)`, `layer.weight.data.mul_`, `parameters()`)."""
    found = []
    for path in repo.code_files:
        facts = repo.python(path)
        for function in facts.functions:
            if not OWN_OPTIMIZATION.search(function.name):
                continue
            inside = [c for c in facts.calls if function.line <= c.line <= function.end_line]
            named = " ".join(f"{c.name} {c.args} {list(c.keywords.values())}" for c in inside)
            if TOUCHES_WEIGHTS.search(named):
                found.append(repo.location(path, function.line))
    return found


class InferenceOptimization(Rule):
    """torch quantization (dynamic, or eager static prepare + convert), torch.nn.utils.prune or
    Lightning's ModelPruning callback, torch.compile or TorchScript (torch.jit, Lightning's
    to_torchscript()), ONNX quantization or optimum, an ONNX graph optimizer (onnxruntime's optimizer,
    onnxoptimizer, onnx-simplifier) or the group's own pruning/quantization function that edits a model's
    weights (ONNX initializers, layer weights) in the group's code. A word like "prune" in a data step is not
    pruning, and a bare convert()/prepare() (PIL, tokenizers) is not quantization."""

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
            *ONNX_OPTIMIZERS,
        )
        uses += own_weight_edits(repo)
        if uses:
            return Evidence.found("Quantization, compilation or pruning is applied to the model.", uses)
        return Evidence.absent(
            "No quantization, compilation or pruning was found.",
            (
                "torch quantization",
                "torch.nn.utils.prune",
                "torch.compile / TorchScript",
                "ONNX quantization or graph optimization",
                "own pruning/quantization functions that edit model weights",
            ),
        )
