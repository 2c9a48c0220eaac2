"""``tongke kt-eval``: the protocol end to end, its JSON, and its one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tongke.learning.kt.data import to_csv, to_lines3
from tongke.learning.kt.generate import generate
from tongke.learning.tests.samples import SHARED

KEYS = {"auc", "accuracy", "rmse", "n_test", "fit_seconds", "predict_seconds"}
SYNTHETIC5 = SHARED / "kt" / "synthetic5"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("kt")
    data = generate(n_learners=200, n_skills=8, items_per_skill=3, mean_length=30, seed=11).data
    train, test = data.split_users(0.3, seed=0)
    out = {}
    for name, part in (("train", train), ("test", test)):
        out[f"{name}.txt"] = folder / f"{name}.txt"
        out[f"{name}.txt"].write_text(to_lines3(part))
        out[f"{name}.csv"] = folder / f"{name}.csv"
        out[f"{name}.csv"].write_text(to_csv(part))
    out["n_test"] = test.n_answers  # type: ignore[assignment]
    return out


def kt_eval(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command("kt_eval", *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


@pytest.mark.parametrize(("fmt", "model"), [("lines3", "bkt"), ("csv", "irt"), ("csv", "best")])
def test_prints_one_json_object_with_the_metrics(files, fmt, model):
    ext = "txt" if fmt == "lines3" else "csv"

    result = kt_eval(
        "--train", str(files[f"train.{ext}"]), "--test", str(files[f"test.{ext}"]),
        "--format", fmt, "--model", model, "--seed", "3",
    )  # fmt: skip

    assert set(result) >= KEYS
    assert result["n_test"] == files["n_test"]
    assert 0.55 < float(result["auc"]) < 0.95  # type: ignore[arg-type]
    assert 0.0 < float(result["rmse"]) < 0.5  # type: ignore[arg-type]


def test_same_seed_same_result(files):
    args = ("--train", str(files["train.csv"]), "--test", str(files["test.csv"]))
    first = kt_eval(*args, "--format", "csv", "--model", "irt")
    second = kt_eval(*args, "--format", "csv", "--model", "irt")

    assert first["auc"] == second["auc"]


def test_ragged_file_is_one_line_on_stderr_and_status_2(files, tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_text("2\n1,2\n1,0\n3\n4,5,6\n1,1\n")

    with pytest.raises(SystemExit) as caught:
        kt_eval("--train", str(files["train.txt"]), "--test", str(bad), "--format", "lines3",
                "--model", "bkt")  # fmt: skip

    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err == f"kt-eval: {bad}:6: 2 answers but the count on line 4 says 3\n"


def test_sequence_model_without_pytorch_says_so(files, capsys):
    from tongke.learning.kt.seq import torch_available

    if torch_available():
        pytest.skip("PyTorch is installed here")
    with pytest.raises(SystemExit) as caught:
        kt_eval("--train", str(files["train.txt"]), "--test", str(files["test.txt"]),
                "--format", "lines3", "--model", "seq")  # fmt: skip

    assert caught.value.code == 2
    assert "the sequence model needs the optional PyTorch extra" in capsys.readouterr().err


@pytest.mark.slow  # starts Django in a fresh process: seconds
def test_the_tongke_command_gives_no_traceback_on_bad_input(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("user_id,skill_id,correct\nu,s,1\nu,s,0.5\n")

    done = subprocess.run(
        [sys.executable, "-m", "tongke.cli", "kt-eval", "--train", str(bad), "--test", str(bad),
         "--format", "csv", "--model", "irt"],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"kt-eval: {bad}:3: correct '0.5' is not 0 or 1\n"


@pytest.mark.slow
@pytest.mark.skipif(not SYNTHETIC5.exists(), reason="the shared synthetic-5 copy is not here")
def test_best_reaches_auc_080_on_synthetic5():
    result = kt_eval(
        "--train", str(SYNTHETIC5 / "naive_c5_q50_s4000_v0_train.csv"),
        "--test", str(SYNTHETIC5 / "naive_c5_q50_s4000_v0_test.csv"),
        "--format", "lines3", "--model", "best",
    )  # fmt: skip

    assert result["n_test"] == 100000
    assert float(result["auc"]) >= 0.80  # type: ignore[arg-type]
