"""M25 ML deployment: ONNX and BentoML."""

from verifier.rule import Rule


class OnnxBentoml(Rule):
    """torch.onnx.export, onnxruntime.InferenceSession or bentoml.service in the group's code; the
    dependency or a copied course exercise file is weak."""

    id = "m25.onnx-bentoml"
    modules = ("M25",)
    title = "Specialized ML deployment API with ONNX or BentoML"
    texts = ("Create a more specialized ML-deployment API using either ONNX or BentoML, or both",)
