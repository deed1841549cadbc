"""M6 Code structure: cookiecutter layout, data.py, model.py and train.py."""

from verifier.rule import Rule


class Cookiecutter(Rule):
    """The layout of a course cookiecutter template of any year (src/<pkg>/{data,model,train}.py,
    tasks.py, the README line "Created using mlops_template", or the 2023 cookiecutter-data-science
    layout)."""

    id = "m06.cookiecutter"
    modules = ("M6",)
    title = "Initial file structure from a cookiecutter template"
    texts = (
        "Create the initial file structure using cookiecutter with an appropriate template",
        "Create the initial file structure using cookiecutter",
    )


class DataModule(Rule):
    """A data module (data.py, make_dataset.py, dataset.py or a data/ package) that differs from the
    template stub and does I/O: downloads, loads a dataset or saves processed data."""

    id = "m06.data"
    modules = ("M6",)
    title = "data.py downloads and preprocesses the data"
    texts = (
        "Fill out the `data.py` file such that it downloads whatever data you need and preprocesses it "
        "(if necessary)",
        "Fill out the `make_dataset.py` file such that it downloads whatever data you need and",
        "Fill out the `make_dataset.py` file such that it downloads whatever data you need and preprocesses it",
    )


class ModelTraining(Rule):
    """A model class beyond the template's dummy model and a training loop (optimizer step,
    backward(), Trainer.fit or a scikit-learn fit)."""

    id = "m06.model-training"
    modules = ("M6",)
    title = "A model in model.py and a training procedure in train.py"
    texts = (
        "Add a model to `model.py` and a training procedure to `train.py` and get that running",
        "Add a model file and a training script and get that running",
    )
