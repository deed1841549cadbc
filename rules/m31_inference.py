"""M31 Scalable inference: quantization, compilation, pruning."""

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
