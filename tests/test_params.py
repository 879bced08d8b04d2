"""The parameter specification: each parameter declared once, everything derived from it.

A new parameter is one entry of ``skbinary._params.PARAMETERS``; these tests
fail until it has what a user relies on: a constructor argument with its
default, a docstring entry, a place in the documentation's table, a check that
takes numpy scalars, a model-file round trip and, when it shapes the network or
the compiled trainer, a part in the trainer pool's key.
"""

import ast
import inspect
import json
import re
from pathlib import Path

import keras
import numpy as np
import pytest
from imblearn.under_sampling import RandomUnderSampler

from skbinary import KerasBinaryClassifier
from skbinary._params import (
    ARCHITECTURE,
    PARAMETERS,
    SHAPES,
    STORED,
    decode,
    encode,
    parameter_table,
    resolve,
    trainer_key,
)

DOCS = Path(__file__).resolve().parents[1] / "docs"

# A valid value other than the default, for every parameter.
OTHER_VALUE = {
    "hidden_layer_sizes": (8, 4),
    "activation": "tanh",
    "dropout": 0.25,
    "l2": 1e-4,
    "batch_norm": True,
    "input_scaling": "robust",
    "ensemble_size": 2,
    "numeric_embedding": "piecewise",
    "optimizer": "sgd",
    "learning_rate": keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=100),
    "weight_decay": 1e-3,
    "batch_size": 32,
    "epochs": 7,
    "early_stopping": False,
    "validation_fraction": 0.3,
    "n_iter_no_change": 5,
    "validation": "cross_fit",
    "tol": 1e-3,
    "scoring": "roc_auc",
    "class_weight": {0: 1.0, 1: 3.0},
    "threshold": {"recall": 0.9},
    "sampler": RandomUnderSampler(),
    "loss": "focal",
    "focal_gamma": 1.0,
    "focal_alpha": 0.25,
    "callbacks": [keras.callbacks.TerminateOnNaN()],
    "model": lambda: keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")]),
    "random_state": 7,
    "verbose": 2,
}


def test_every_parameter_has_another_value_here():
    assert set(OTHER_VALUE) == {p.name for p in PARAMETERS}


def test_constructor_is_the_specification():
    signature = inspect.signature(KerasBinaryClassifier)
    assert [(n, p.default) for n, p in signature.parameters.items()] == [
        (p.name, p.default) for p in PARAMETERS]
    assert KerasBinaryClassifier().get_params() == {p.name: p.default for p in PARAMETERS}
    clf = KerasBinaryClassifier((8,), "tanh", dropout=0.1)
    assert (clf.hidden_layer_sizes, clf.activation, clf.dropout) == ((8,), "tanh", 0.1)
    with pytest.raises(TypeError, match="unexpected keyword|got an unexpected"):
        KerasBinaryClassifier(alpha=1.0)


def test_every_parameter_is_documented_with_its_default():
    doc = KerasBinaryClassifier.__doc__
    for p in PARAMETERS:
        assert f"\n    {p.name} : " in doc, f"{p.name} is missing from the docstring"
        first, second = doc.split(f"\n    {p.name} : ", 1)[1].split("\n", 2)[:2]
        head = first[:-1] + second if first.endswith("\\") else first  # a wrapped line
        documented = head.split("default=", 1)[1].strip()
        assert ast.literal_eval(documented) == p.default, (
            f"{p.name}'s documented default {documented} is not {p.default!r}")


def test_documentation_table_is_the_specification():
    table = (DOCS / "user_guide" / "parameter_table.rst").read_text()
    assert table == parameter_table(), (
        "docs/user_guide/parameter_table.rst is out of date: the docs build writes it")
    assert ".. include:: parameter_table.rst" in (
        DOCS / "user_guide" / "parameters.rst").read_text()
    assert all(p.shapes in SHAPES for p in PARAMETERS)


def test_numpy_scalars_are_checked_as_python_scalars():
    numpy_values = dict(hidden_layer_sizes=(np.int64(8), np.int32(4)),
                        dropout=np.float32(0.25), batch_norm=np.bool_(True),
                        ensemble_size=np.int64(2), learning_rate=np.float64(0.01),
                        batch_size=np.int64(32), epochs=np.int64(7),
                        early_stopping=np.bool_(False), threshold=np.float64(0.3),
                        class_weight={np.int64(1): np.float32(2.0)},
                        focal_alpha=np.float64(0.5), random_state=np.int64(3),
                        verbose=np.int64(1), activation=np.str_("tanh"))
    params = resolve(KerasBinaryClassifier(**numpy_values))
    for name in numpy_values:
        value = getattr(params, name)
        plain = value if not isinstance(value, (tuple, dict)) else [
            *value, *(value.values() if isinstance(value, dict) else ())]
        for item in plain if isinstance(plain, list) else [plain]:
            assert not isinstance(item, np.generic), f"{name} kept {type(item)}"
    assert params.hidden_layer_sizes == (8, 4) and params.random_state == 3
    json.dumps(encode(params))  # every stored value is plain JSON


@pytest.mark.parametrize("name", [p.name for p in PARAMETERS
                                  if p.shapes in ("network", "trainer") and p.key])
def test_every_network_and_trainer_parameter_is_part_of_the_pool_key(name):
    # Otherwise a pooled trainer compiled for other settings is silently reused.
    base = resolve(KerasBinaryClassifier())
    other = resolve(KerasBinaryClassifier(**{name: OTHER_VALUE[name]}))
    assert trainer_key(base, 8) != trainer_key(other, 8)


def test_data_and_decision_parameters_do_not_split_the_pool():
    base = trainer_key(resolve(KerasBinaryClassifier()), 8)
    for p in PARAMETERS:
        if p.shapes in ("data", "decision", "nothing"):
            other = resolve(KerasBinaryClassifier(**{p.name: OTHER_VALUE[p.name]}))
            assert trainer_key(other, 8) == base, p.name


def test_architecture_is_the_network_parameters():
    assert set(ARCHITECTURE) == {p.name for p in PARAMETERS
                                 if p.shapes == "network" and p.name != "model"}


@pytest.mark.parametrize("name", STORED)
def test_stored_parameters_survive_the_model_file(name):
    params = resolve(KerasBinaryClassifier(**{name: OTHER_VALUE[name]}))
    stored = json.loads(json.dumps(encode(params)))
    rebuilt = resolve(KerasBinaryClassifier(**decode(stored)))
    if name == "learning_rate":
        assert rebuilt.learning_rate.get_config() == params.learning_rate.get_config()
    else:
        assert getattr(rebuilt, name) == getattr(params, name)


def test_code_parameters_are_not_stored():
    assert set(OTHER_VALUE) - set(STORED) == {"sampler", "callbacks", "model"}
    with pytest.raises(ValueError, match="unknown parameter"):
        decode({"callbacks": None})


@pytest.mark.parametrize("page", ["README.md", "docs/user_guide/parameters.rst"])
def test_signature_shown_in_the_documentation_is_the_specification(page):
    text = (DOCS.parent / page).read_text()
    block = re.split(r"\n\s*\)", text.split("KerasBinaryClassifier(\n", 1)[1],
                     maxsplit=1)[0]
    shown = eval(f"dict({block.strip()})")  # the page's code block, as Python
    assert shown == {p.name: p.default for p in PARAMETERS}
