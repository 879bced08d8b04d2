"""The command line, end to end through ``python -m skbinary`` on small CSV files.

Each subprocess that trains or loads a network starts TensorFlow (seconds), so
all the subprocesses (two fits, predict, report, the error cases) run side by
side in one module-scoped fixture and the tests check their results; variants
that need no new process call ``main`` in-process.
"""

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from skbinary import KerasBinaryClassifier, ModelFileError
from skbinary.cli import EXIT_DATA, EXIT_INPUT, EXIT_MODEL, EXIT_USAGE, main
from skbinary.tabular import fit_model, load_model, read_csv

REPO = Path(__file__).resolve().parents[1]
FAST = ["--epochs", "5", "--hidden", "8", "--random-state", "0"]
PLOTS = {"confusion_matrix.png", "precision_recall.png", "roc.png", "threshold_curves.png"}


def make_frame(n=120, seed=0):
    """Two numeric columns, a categorical one with a missing value, target yes/no."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], size=n).astype(object)
    score = 2 * x1 - x2 + (color == "red") + rng.normal(scale=0.5, size=n)
    frame = pd.DataFrame({"x1": x1, "x2": x2, "color": color,
                          "label": np.where(score > 0, "yes", "no")})
    frame.loc[3, "color"] = np.nan
    frame.loc[5, "x1"] = np.nan
    return frame


def command(*args):
    return [sys.executable, "-m", "skbinary", *map(str, args)]


def _env():
    # The working tree's skbinary, whatever is installed.
    path = os.environ.get("PYTHONPATH")
    return dict(os.environ, PYTHONPATH=str(REPO) + (os.pathsep + path if path else ""))


def read_predictions(path_or_text):
    """The predictions CSV; probabilities parsed by ``float`` (exact round trip)."""
    source = path_or_text if isinstance(path_or_text, Path) else io.StringIO(path_or_text)
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    for column in frame.columns[1:]:
        frame[column] = [float(v) for v in frame[column]]
    return frame


class Job:
    """``python -m skbinary ARGS`` started in ``folder``, output kept in files."""

    def __init__(self, folder, name, args):
        self.args, self.out, self.err = args, folder / f"{name}.out", folder / f"{name}.err"
        with open(self.out, "w") as out, open(self.err, "w") as err:
            self.proc = subprocess.Popen(command(*args), cwd=folder, env=_env(),
                                         stdout=out, stderr=err)

    def result(self):
        rc = self.proc.wait(timeout=300)
        return subprocess.CompletedProcess(self.args, rc, self.out.read_text(),
                                           self.err.read_text())


def _write_inputs(folder):
    make_frame().to_csv(folder / "train.csv", index=False)
    score = make_frame()
    score.loc[0, "color"] = "purple"  # not seen in training
    score["notes"] = "extra column, ignored"
    score.to_csv(folder / "score.csv", index=False)
    three = make_frame()
    three.loc[:9, "label"] = "maybe"
    three.to_csv(folder / "three.csv", index=False)
    make_frame().drop(columns=["x2"]).to_csv(folder / "no_x2.csv", index=False)


# Error cases: arguments, exit status, fragments of the one-line message.
ERRORS_BEFORE_FIT = {
    "missing file": (["fit", "missing.csv", "--target", "label"],
                     EXIT_INPUT, ["cannot read missing.csv", "No such file"]),
    "missing model file": (["predict", "missing.zip", "train.csv"], EXIT_INPUT,
                           ["error: cannot read 'missing.zip': No such file"]),
    "missing target column": (["fit", "train.csv", "--target", "nope"],
                              EXIT_DATA, ["no target column 'nope'", "'label'"]),
    "three-valued target": (["fit", "three.csv", "--target", "label", *FAST],
                            EXIT_DATA, ["has 3 values", "'maybe'", "binary"]),
    "not a model file": (["predict", "train.csv", "train.csv"], EXIT_MODEL,
                         ["train.csv' is not a readable skbinary command-line model file"]),
    "usage": (["fit", "train.csv"], EXIT_USAGE,
              ["the following arguments are required: --target"]),
}
ERRORS_AFTER_FIT = {
    "truncated model file": (["predict", "truncated.zip", "train.csv"], EXIT_MODEL,
                             ["truncated.zip", "truncated"]),
    "missing feature column": (["predict", "model.zip", "no_x2.csv"], EXIT_DATA,
                               ["no_x2.csv lacks feature column", "'x2'"]),
}
ERRORS = {**ERRORS_BEFORE_FIT, **ERRORS_AFTER_FIT}


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """Every subprocess of this module, run side by side: (folder, results).

    The two fits (default; ``--search --positive no``) and the error cases that
    need no model start together; once ``model.zip`` exists, ``predict``,
    ``report`` and the error cases that need it.
    """
    folder = tmp_path_factory.mktemp("cli")
    _write_inputs(folder)
    jobs = {
        "fit": Job(folder, "fit", ["fit", "train.csv", "--target", "label", *FAST,
                                   "--out", "model.zip"]),
        "search": Job(folder, "search", [
            "fit", "train.csv", "--target", "label", "--positive", "no", "--search",
            "--epochs", "5", "--hidden", "8", "--random-state", "0", "--out",
            "search.zip"]),
    }
    jobs.update({name: Job(folder, f"error{i}", args)
                 for i, (name, (args, _, _)) in enumerate(ERRORS_BEFORE_FIT.items())})
    try:
        results = {"fit": jobs.pop("fit").result()}
        assert results["fit"].returncode == 0, results["fit"].stderr
        data = (folder / "model.zip").read_bytes()
        (folder / "truncated.zip").write_bytes(data[: len(data) // 2])
        jobs["predict"] = Job(folder, "predict", ["predict", "model.zip", "score.csv",
                                                  "--out", "predictions.csv"])
        jobs["report"] = Job(folder, "report", [
            "report", "model.zip", "train.csv", "--target", "label",
            "--threshold", "0.4", "--plots", "plots"])
        jobs.update({name: Job(folder, f"late_error{i}", args)
                     for i, (name, (args, _, _)) in enumerate(ERRORS_AFTER_FIT.items())})
        load_model(folder / "model.zip")  # starts TensorFlow here meanwhile
        results.update({name: job.result() for name, job in jobs.items()})
    finally:
        for job in jobs.values():
            if job.proc.poll() is None:
                job.proc.kill()
                job.proc.wait()
    return folder, results


def assert_clean_error(result, code, *fragments):
    """Exit status ``code``; the error is one stderr line naming the problem."""
    assert result.returncode == code, (result.stdout, result.stderr)
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]


# --------------------------------------------------------------------------- #
# fit -> predict -> report
# --------------------------------------------------------------------------- #
def test_fit_prints_summary_and_writes_a_pickle_free_model(work):
    folder, results = work
    result = results["fit"]
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "rows:            120" in out
    assert "3 (2 numeric: x1, x2; 1 categorical: color)" in out
    assert "classes 'no'" in out and "'yes'" in out
    assert "positive label:  'yes'" in out
    assert "epochs run:      5 of 5" in out
    assert "F1 of 'yes' on the training data" in out
    # progress on stderr, TensorFlow's native start-up chatter filtered out
    assert "Reading train.csv ... 120 rows, 4 columns" in result.stderr
    assert "Epoch 5/5" in result.stderr
    assert "I0000" not in result.stderr and "absl" not in result.stderr

    with zipfile.ZipFile(folder / "model.zip") as zf:
        assert sorted(zf.namelist()) == ["network.skb", "preprocess.json"]
        state = json.loads(zf.read("preprocess.json"))
    assert state["labels"] == ["no", "yes"] and state["positive_label"] == "yes"
    assert [(c["name"], c["kind"]) for c in state["columns"]] == [
        ("x1", "numeric"), ("x2", "numeric"), ("color", "categorical")]
    assert state["columns"][2]["categories"] == ["blue", "green", "red"]
    assert state["scaler_n_samples_seen"] == 120
    assert not list(folder.glob(".skbinary-*")), "temporary files left behind"


def test_predict_matches_the_model_loaded_in_process(work):
    folder, results = work
    result = results["predict"]
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "'purple'" in result.stderr  # the note on an unseen category

    predictions = read_predictions(folder / "predictions.csv")
    assert list(predictions.columns) == ["prediction", "probability_yes"]
    assert len(predictions) == 120
    model = load_model(folder / "model.zip")
    expected = model.predict_proba(read_csv(folder / "score.csv"))[:, 1]
    np.testing.assert_array_equal(predictions["probability_yes"].to_numpy(), expected)
    np.testing.assert_array_equal(predictions["prediction"].to_numpy(),
                                  np.where(expected >= 0.5, "yes", "no"))


def test_predict_to_stdout_with_a_threshold(work, capsys):
    folder, _ = work
    data = str(folder / "train.csv")
    assert main(["predict", str(folder / "model.zip"), data, "--threshold", "0.3",
                 "-q"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    predictions = read_predictions(captured.out)
    p = load_model(folder / "model.zip").predict_proba(read_csv(data))[:, 1]
    np.testing.assert_array_equal(predictions["probability_yes"].to_numpy(), p)
    np.testing.assert_array_equal(predictions["prediction"].to_numpy(),
                                  np.where(p >= 0.3, "yes", "no"))


def test_report_prints_binary_report_and_writes_plots(work):
    from skbinary.metrics import binary_report

    folder, results = work
    result = results["report"]
    assert result.returncode == 0, result.stderr
    frame = read_csv(folder / "train.csv")
    score = load_model(folder / "model.zip").predict_proba(frame)[:, 1]
    expected = binary_report(frame["label"].to_numpy(dtype=object), score,
                             threshold=0.4, pos_label="yes")
    assert str(expected) in result.stdout
    assert "positive label 'yes', threshold 0.4" in result.stdout
    written = {p.name for p in (folder / "plots").iterdir()}
    assert written == PLOTS
    for name in PLOTS:
        assert (folder / "plots" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_reloaded_pipeline_predicts_exactly_as_in_memory(tmp_path):
    make_frame().to_csv(tmp_path / "d.csv", index=False)
    frame = read_csv(tmp_path / "d.csv")
    model = fit_model(frame, "label", hidden_layer_sizes=(8,), epochs=5, random_state=0)
    model.save(tmp_path / "m.zip")
    loaded = load_model(tmp_path / "m.zip")

    new = make_frame(n=40, seed=1)
    new.loc[0, "color"] = "purple"
    new.loc[1, ["x1", "x2", "color"]] = np.nan
    for data in (frame, new):
        np.testing.assert_array_equal(loaded.predict_proba(data), model.predict_proba(data))
        np.testing.assert_array_equal(
            loaded.pipeline[:-1].transform(loaded.prepare(data)),
            model.pipeline[:-1].transform(model.prepare(data)))
    assert loaded.labels == model.labels == ("no", "yes")
    assert loaded.columns == model.columns
    assert list(loaded.predict(new)) == list(model.predict(new))
    assert isinstance(loaded.pipeline[-1], KerasBinaryClassifier)


# --------------------------------------------------------------------------- #
# --positive and --search
# --------------------------------------------------------------------------- #
def test_positive_label_and_search(work, capsys):
    folder, results = work
    result = results["search"]
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "positive label:  'no'" in out
    assert "search:          2 candidates, 3-fold CV on F1 of 'no'" in out
    assert "best params:     hidden 8, dropout " in out
    assert "3-fold cross-validated" in out

    model = load_model(folder / "search.zip")
    assert model.labels == ("yes", "no") and model.positive_label == "no"
    search = model.training["search"]
    assert {c["dropout"] for c in search["candidates"]} == {0.0, 0.2}
    assert search["best_params"]["hidden_layer_sizes"] == [8]
    assert model.training["f1"] == max(c["mean_f1"] for c in search["candidates"])

    # predictions name and score the positive label 'no'
    assert main(["predict", str(folder / "search.zip"), str(folder / "train.csv"),
                 "-q"]) == 0
    predictions = read_predictions(capsys.readouterr().out)
    assert list(predictions.columns) == ["prediction", "probability_no"]
    p_no = predictions["probability_no"].to_numpy()
    np.testing.assert_array_equal(predictions["prediction"].to_numpy(),
                                  np.where(p_no >= 0.5, "no", "yes"))


def test_positive_label_must_be_a_target_value(tmp_path, capsys):
    make_frame().to_csv(tmp_path / "d.csv", index=False)
    code = main(["fit", str(tmp_path / "d.csv"), "--target", "label",
                 "--positive", "maybe", *FAST, "--out", str(tmp_path / "m.zip")])
    assert code == EXIT_DATA
    assert "--positive 'maybe' is not a value" in capsys.readouterr().err
    assert not (tmp_path / "m.zip").exists()


# --------------------------------------------------------------------------- #
# Errors: one line, a documented exit status
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("case", ERRORS)
def test_errors_exit_with_their_status(work, case):
    _, results = work
    _, code, fragments = ERRORS[case]
    result = results[case]
    assert_clean_error(result, code, *fragments)
    assert result.stdout == ""


@pytest.mark.parametrize("content, fragment", [
    ("x1,x2,label\n1,2,yes\n3,4,no\n5,abc,yes\n6,7,no\n8,9,yes\n",
     "column 'x2' looks numeric"),
    ("x1,label\n1,yes\n2,yes\n", "only one value, 'yes'"),
    ("x1,label\n1,yes,3\n2,no,4\n", "more fields than its header"),
    ("", "is empty"),
    ("x1,label\n", "no data rows"),
])
def test_bad_training_data(tmp_path, capsys, content, fragment):
    (tmp_path / "d.csv").write_text(content)
    assert main(["fit", str(tmp_path / "d.csv"), "--target", "label", *FAST,
                 "--out", str(tmp_path / "m.zip")]) == EXIT_DATA
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def _duplicated_headers(path):
    """The training data with a second column named x1 (a copy of x2)."""
    frame = make_frame()
    frame.insert(1, "x1.1", frame["x2"])
    frame.columns = ["x1", "x1", "x2", "color", "label"]
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("args", [
    ["fit", "{data}", "--target", "label", *FAST, "--out", "{folder}/m.zip"],
    ["predict", "{folder}/model.zip", "{data}"],
    ["report", "{folder}/model.zip", "{data}", "--target", "label"],
], ids=["fit", "predict", "report"])
def test_duplicated_column_names_are_refused(work, tmp_path, capsys, args):
    folder, _ = work
    data = _duplicated_headers(tmp_path / "d.csv")
    assert data.read_text().startswith("x1,x1,x2,color,label\n")
    args = [a.format(data=data, folder=tmp_path if a.endswith("m.zip") else folder)
            for a in args]
    assert main(args) == EXIT_DATA
    err = capsys.readouterr().err
    assert "d.csv has duplicated column names: 'x1' (2 columns)" in err
    assert "Traceback" not in err
    assert not (tmp_path / "m.zip").exists()


def test_column_names_that_look_renamed_are_kept(tmp_path):
    (tmp_path / "d.csv").write_text("x1,x1.1,label\n1,2,yes\n3,4,no\n")
    assert list(read_csv(tmp_path / "d.csv").columns) == ["x1", "x1.1", "label"]


def test_na_values_and_drop(tmp_path, capsys):
    frame = make_frame()
    frame["x2"] = frame["x2"].astype(object)
    frame.loc[7, "x2"] = "?"
    frame["id"] = [f"row{i}" for i in range(len(frame))]
    frame.to_csv(tmp_path / "d.csv", index=False)
    model_path = tmp_path / "m.zip"
    assert main(["fit", str(tmp_path / "d.csv"), "--target", "label", *FAST,
                 "--na-values", "?", "--drop", "id", "--out", str(model_path),
                 "-q"]) == 0
    assert "columns:         3 (2 numeric" in capsys.readouterr().out
    model = load_model(model_path)
    assert model.na_values == ["?"] and ("id", "categorical") not in model.columns
    # predict reads '?' as missing too, with the model's na_values
    assert main(["predict", str(model_path), str(tmp_path / "d.csv"), "-q"]) == 0
    assert len(read_predictions(capsys.readouterr().out)) == 120


@pytest.mark.parametrize("damage, fragment", [
    ("bad json", "corrupted"),
    ("no network", "lacks network.skb"),
    ("bare estimator", "open it with skbinary.load"),
    ("other format", "not a skbinary command-line model"),
    ("flipped bytes", "corrupted"),
    ("threshold not a number", "threshold"),
])
def test_damaged_model_files(work, tmp_path, capsys, damage, fragment):
    folder, _ = work
    with zipfile.ZipFile(folder / "model.zip") as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    path = tmp_path / "damaged.zip"
    if damage == "flipped bytes":
        data = bytearray((folder / "model.zip").read_bytes())
        middle = len(data) // 2
        data[middle:middle + 16] = bytes(b ^ 0xFF for b in data[middle:middle + 16])
        path.write_bytes(bytes(data))
    elif damage == "bare estimator":
        KerasBinaryClassifier(hidden_layer_sizes=(2,), epochs=1).fit(
            np.eye(4), [0, 1, 0, 1]).save(path)
    else:
        if damage == "bad json":
            parts["preprocess.json"] = parts["preprocess.json"][:-20]
        elif damage == "no network":
            del parts["network.skb"]
        elif damage == "threshold not a number":
            state = json.loads(parts["preprocess.json"])
            state["threshold"] = float("nan")
            parts["preprocess.json"] = json.dumps(state).encode()
        else:
            parts["preprocess.json"] = json.dumps({"format": "something-else"}).encode()
        with zipfile.ZipFile(path, "w") as zf:
            for name, data in parts.items():
                zf.writestr(name, data)
    with pytest.raises(ModelFileError, match=fragment):
        load_model(path)
    assert main(["report", str(path), str(folder / "train.csv")]) == EXIT_MODEL
    assert fragment in capsys.readouterr().err


@pytest.mark.parametrize("threshold, error", [
    (float("nan"), ValueError), (1.5, ValueError), (True, TypeError),
])
def test_model_predict_refuses_a_threshold_outside_zero_to_one(work, threshold, error):
    folder, _ = work
    model = load_model(folder / "model.zip")
    with pytest.raises(error, match="threshold"):
        model.predict(make_frame(), threshold=threshold)


def test_report_as_json(work, capsys):
    folder, _ = work
    assert main(["report", str(folder / "model.zip"), str(folder / "train.csv"),
                 "--json", "-q"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pos_label"] == "yes" and report["neg_label"] == "no"
    assert report["n_samples"] == 120 and report["threshold"] == 0.5
    assert report["tp"] + report["fp"] + report["fn"] + report["tn"] == 120


def test_report_refuses_unknown_target_values(work, tmp_path, capsys):
    folder, _ = work
    frame = make_frame()
    frame.loc[0, "label"] = "maybe"
    frame.to_csv(tmp_path / "d.csv", index=False)
    assert main(["report", str(folder / "model.zip"), str(tmp_path / "d.csv")]) == EXIT_DATA
    assert "value(s) the model does not know: 'maybe'" in capsys.readouterr().err


def test_help_documents_exit_codes(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for code in ("0 ", "2 ", "3 ", "4 ", "5 "):
        assert f"\n  {code}" in out
    assert main(["fit", "--help"]) == 0
    assert "exit status" in capsys.readouterr().out
    assert main(["fit", "x.csv", "--target", "y", "--hidden", "8", "--hidden", "4"]) == 2
    assert "--search" in capsys.readouterr().err


def test_fit_writes_into_the_working_folder_by_default(tmp_path, monkeypatch, capsys):
    make_frame().to_csv(tmp_path / "churn.csv", index=False)
    monkeypatch.chdir(tmp_path)
    assert main(["fit", "churn.csv", "--target", "label", *FAST, "-q"]) == 0
    assert "model file:      churn.model.zip" in capsys.readouterr().out
    assert load_model(tmp_path / "churn.model.zip").labels == ("no", "yes")


# --------------------------------------------------------------------------- #
# Separators, ID columns and the one rule for labels
# --------------------------------------------------------------------------- #
def test_semicolon_file_is_sniffed_and_said(tmp_path, capsys):
    make_frame().to_csv(tmp_path / "d.csv", index=False, sep=";")
    assert main(["fit", str(tmp_path / "d.csv"), "--target", "label", *FAST,
                 "--out", str(tmp_path / "m.zip")]) == 0
    captured = capsys.readouterr()
    assert "separator ';'" in captured.err
    assert "columns:         3 (2 numeric" in captured.out
    frame = read_csv(tmp_path / "d.csv", sep=";")
    assert list(frame.columns) == ["x1", "x2", "color", "label"]
    # the model file follows the umask, like any new file
    umask = os.umask(0o022)
    os.umask(umask)
    assert (tmp_path / "m.zip").stat().st_mode & 0o777 == 0o666 & ~umask


def test_sep_option(tmp_path, capsys):
    make_frame().to_csv(tmp_path / "d.txt", index=False, sep="|")
    assert main(["fit", str(tmp_path / "d.txt"), "--target", "label", "--sep", "|", *FAST,
                 "--out", str(tmp_path / "m.zip"), "-q"]) == 0
    capsys.readouterr()
    assert main(["predict", str(tmp_path / "m.zip"), str(tmp_path / "d.txt"),
                 "--sep", "|", "-q"]) == 0
    assert len(read_predictions(capsys.readouterr().out)) == 120


def test_id_column_is_dropped_with_a_note(tmp_path, capsys):
    # a unique-per-row column would be memorised, then never seen again
    frame = make_frame()
    frame.insert(0, "CustomerID", [f"C{i:05d}" for i in range(len(frame))])
    frame.to_csv(tmp_path / "d.csv", index=False)
    assert main(["fit", str(tmp_path / "d.csv"), "--target", "label", *FAST,
                 "--out", str(tmp_path / "m.zip")]) == 0
    captured = capsys.readouterr()
    assert "'CustomerID'" in captured.err and "--drop" in captured.err
    assert "columns:         3 (2 numeric" in captured.out
    assert "CustomerID" not in [name for name, _ in load_model(tmp_path / "m.zip").columns]


def test_numeric_labels_match_by_value_in_every_command(tmp_path, capsys):
    # "1" and "1.0" are one class in fit, as in report
    frame = make_frame()
    frame["label"] = np.where(frame["label"] == "yes", "1", "0")
    frame.loc[:9, "label"] = frame.loc[:9, "label"] + ".0"
    frame.to_csv(tmp_path / "d.csv", index=False)
    model_path = tmp_path / "m.zip"
    assert main(["fit", str(tmp_path / "d.csv"), "--target", "label", *FAST,
                 "--positive", "1.0", "--out", str(model_path), "-q"]) == 0
    assert load_model(model_path).labels == ("0", "1")
    capsys.readouterr()
    assert main(["report", str(model_path), str(tmp_path / "d.csv"), "--json", "-q"]) == 0
    assert json.loads(capsys.readouterr().out)["n_samples"] == 120


@pytest.mark.parametrize("negative, positive", [
    ("9", "10"), ("-1", "1"), ("no", "yes"),
    # numbers that are not integers, and infinities, compare as numbers too
    ("0.5", "1.5"), ("2.5", "10"), ("-inf", "-5"), ("5", "1e400"),
])
def test_positive_label_follows_the_package_rule(negative, positive):
    # the greater label is positive, compared as numbers when both are
    # ("10" > "9", where text order says otherwise), as for the estimator's classes_
    frame = make_frame()
    frame["label"] = np.where(frame["label"] == "yes", positive, negative)
    model = fit_model(frame, "label", epochs=1, hidden_layer_sizes=(4,), random_state=0)
    assert model.labels == (negative, positive)
    assert model.pipeline.named_steps["classifier"].classes_.tolist() == [0, 1]
    mask = (frame["label"] == positive).to_numpy()
    assert model.training["class_counts"] == {negative: int((~mask).sum()),
                                              positive: int(mask.sum())}


def test_positive_option_names_a_non_integer_label_by_value():
    frame = make_frame()
    frame["label"] = np.where(frame["label"] == "yes", "1.5", "0.5")
    model = fit_model(frame, "label", positive="0.50", epochs=1, hidden_layer_sizes=(4,),
                      random_state=0)
    assert model.labels == ("1.5", "0.5")
