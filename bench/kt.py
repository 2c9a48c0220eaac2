"""Knowledge-tracing benchmark: Tongke's models side by side with pyBKT, in one run.

For each data set (synthetic-5 v0 from the shared copy; a generated set where models fit on
about 1,000,000 answers of 10,000 learners on 200 skills and predict 2,500 more learners, or a
tenth of that with ``--quick``), each model runs in a fresh child process that loads the train
and test files, fits on train and predicts every test answer from the learner's earlier
answers only. The child reports fit and predict seconds and its peak resident memory
(``VmHWM``); the test metrics are computed here, with the same AUC for every model. pyBKT
(the C++ build, version 1.4.3) runs the same way from its own virtual environment under
``var/bench-pybkt/``, created on first use; the table gives Tongke/pyBKT time ratios and the
AUCs side by side.

    uv run python bench/kt.py               # full run
    uv run python bench/kt.py --quick       # small generated set
    uv run python bench/kt.py --skip-pybkt  # Tongke only

pyBKT is not a Tongke dependency; facts its install follows: in a fresh venv ``pip install
numpy wheel "scikit-learn<1.8"``, then ``pip install --no-binary pyBKT --no-build-isolation
pyBKT==1.4.3`` (needs gcc). pyBKT 1.4.3 fails to import with scikit-learn 1.8 or newer.
pyBKT gets one row per (answer, skill), as in pyKT; an answer's prediction is the mean over
its rows, which is what Tongke's BKT does too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tongke.learning.kt.data import KTData, load, to_csv  # noqa: E402
from tongke.learning.kt.evaluate import make_model, metrics  # noqa: E402
from tongke.learning.kt.generate import generate  # noqa: E402

WORK = ROOT / "var" / "bench-kt"
PYBKT_VENV = ROOT / "var" / "bench-pybkt"
SYNTHETIC5 = (
    Path(
        os.environ.get("TONGKE_SHARED_DATA")
        or Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
    / "kt"
    / "synthetic5"
)
MODELS = ("bkt", "irt", "best")

PYBKT_CHILD = r"""
import json, resource, sys, time
import numpy as np
import pandas as pd
from pyBKT.models import Model


def peak_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


train_path, test_path, out_path, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
train = pd.read_csv(train_path, dtype={"skill_name": str, "user_id": str})
test = pd.read_csv(test_path, dtype={"skill_name": str, "user_id": str})
start = time.perf_counter()
model = Model(seed=seed)
model.fit(data=train)
fitted = time.perf_counter()
pred = model.predict(data=test)
done = time.perf_counter()
pred = pred.sort_values("row")
np.save(out_path, np.column_stack([pred["row"].to_numpy(), pred["correct_predictions"].to_numpy()]))
print(json.dumps({
    "fit_seconds": fitted - start,
    "predict_seconds": done - fitted,
    "peak_mib": peak_mib(),
}))
"""


# -- data ---------------------------------------------------------------------------------


def pybkt_csv(data: KTData, path: Path) -> None:
    """pyBKT's columns; one row per (answer, skill); ``row`` is the answer's index."""
    tags = data.answer_skills()
    answer, column = np.nonzero(tags >= 0)
    skills = np.asarray(data.skill_ids, dtype=object)[tags[answer, column]]
    users = np.asarray(data.user_ids, dtype=object)[data.user[answer]]
    lines = ["order_id,user_id,skill_name,correct,row\n"]
    lines += [
        f"{n},{u},{s},{c},{a}\n"
        for n, (u, s, c, a) in enumerate(
            zip(users, skills, data.correct[answer], answer, strict=True)
        )
    ]
    path.write_text("".join(lines))


def prepare(quick: bool, seed: int) -> list[dict[str, Any]]:
    """The data sets: name, format, train/test files for Tongke and for pyBKT."""
    WORK.mkdir(parents=True, exist_ok=True)
    sets: list[dict[str, Any]] = []
    if SYNTHETIC5.exists():
        train = SYNTHETIC5 / "naive_c5_q50_s4000_v0_train.csv"
        test = SYNTHETIC5 / "naive_c5_q50_s4000_v0_test.csv"
        entry: dict[str, Any] = {"name": "synthetic-5 v0", "format": "lines3", "train": train}
        entry["test"] = test
        sets.append(entry)
    # Train on `learners` learners (about 100 answers each), test on a quarter as many more.
    learners, skills = (1_000, 50) if quick else (10_000, 200)
    name = f"generated {learners}+{learners // 4} learners {skills} skills"
    generated = generate(
        n_learners=learners + learners // 4, n_skills=skills, mean_length=100, seed=seed
    ).data
    train_data, test_data = generated.split_users(0.2, seed=seed)
    files = {"train": WORK / f"gen{learners}_train.csv", "test": WORK / f"gen{learners}_test.csv"}
    files["train"].write_text(to_csv(train_data, with_items=True))
    files["test"].write_text(to_csv(test_data, with_items=True))
    sets.append({"name": name, "format": "csv", **files})
    for entry in sets:
        stem = WORK / entry["name"].replace(" ", "_")
        for part in ("train", "test"):
            data = load(entry[part], entry["format"])
            entry[f"{part}_n"] = data.n_answers
            entry[f"pybkt_{part}"] = Path(f"{stem}_pybkt_{part}.csv")
            pybkt_csv(data, entry[f"pybkt_{part}"])
    return sets


# -- children -----------------------------------------------------------------------------


def peak_mib() -> float:
    """Peak resident memory of this process since it started (``VmHWM``). ``ru_maxrss``
    would not do: on Linux a child started by fork+exec inherits the parent's figure."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(model: str, train: str, test: str, fmt: str, seed: int, out: str) -> None:
    """Runs in a fresh process: load, fit, predict; prints timings and peak memory."""
    train_data, test_data = load(train, fmt), load(test, fmt)
    estimator = make_model(model, seed=seed)
    start = time.perf_counter()
    estimator.fit(train_data)
    fitted = time.perf_counter()
    p = estimator.predict_sequences(test_data)
    done = time.perf_counter()
    np.save(out, p)
    report = {
        "fit_seconds": fitted - start,
        "predict_seconds": done - fitted,
        "peak_mib": peak_mib(),
    }
    print(json.dumps(report))


def run_tongke(entry: dict[str, Any], model: str, seed: int) -> dict[str, Any]:
    out = WORK / f"pred_{model}.npy"
    cmd = [sys.executable, __file__, "--child", model, str(entry["train"]), str(entry["test"])]
    cmd += [entry["format"], str(seed), str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1:]}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    test = load(entry["test"], entry["format"])
    return {**result, **metrics(test.correct, np.load(out))}


def ensure_pybkt() -> Path:
    """The venv's python, installing pyBKT 1.4.3 (C++ build) there on first use."""
    python = PYBKT_VENV / "bin" / "python"
    check = [str(python), "-c", "import pyBKT.fit.E_step, pyBKT.models"]
    if python.exists() and subprocess.run(check, capture_output=True, check=False).returncode == 0:
        return python
    steps = [
        [sys.executable, "-m", "venv", str(PYBKT_VENV)],
        [str(python), "-m", "pip", "install", "-q", "numpy", "wheel", "scikit-learn<1.8"],
        [str(python), "-m", "pip", "install", "-q", "--no-binary", "pyBKT",
         "--no-build-isolation", "pyBKT==1.4.3"],
    ]  # fmt: skip
    for step in steps:
        print("pyBKT setup:", " ".join(step[-3:]), flush=True)
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode:
            raise RuntimeError(f"{' '.join(step)} failed:\n{done.stderr[-2000:]}")
    done = subprocess.run(check, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"pyBKT does not import (C++ build missing?):\n{done.stderr[-2000:]}")
    return python


def run_pybkt(python: Path, entry: dict[str, Any], seed: int) -> dict[str, Any]:
    out = WORK / "pred_pybkt.npy"
    cmd = [str(python), "-c", PYBKT_CHILD, str(entry["pybkt_train"]), str(entry["pybkt_test"])]
    done = subprocess.run([*cmd, str(out), str(seed)], capture_output=True, text=True, check=False)
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1:]}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    rows = np.load(out)
    test = load(entry["test"], entry["format"])
    answer = rows[:, 0].astype(np.int64)
    total = np.bincount(answer, rows[:, 1], minlength=test.n_answers)
    p = total / np.maximum(np.bincount(answer, minlength=test.n_answers), 1)
    return {**result, **metrics(test.correct, p)}


# -- report -------------------------------------------------------------------------------


def conditions(when: str) -> str:
    load1, load5, _ = os.getloadavg()
    return (
        f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs "
        f"({platform.processor() or platform.machine()}), load average {load1:.2f}/{load5:.2f} "
        f"{when}"
    )


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        f"{'data set':<38} {'model':<6} {'train':>9} {'test':>8} {'fit s':>8} {'pred s':>7} "
        f"{'peak MiB':>9} {'AUC':>6} {'acc':>6} {'rmse':>6} {'fit/pyBKT':>9} {'pred/pyBKT':>10} "
        f"{'AUC pyBKT':>9}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['set']:<38} {r['model']:<6} failed: {r['error']}")
            continue
        ref = r.get("reference") or {}

        def ratio(key: str, r: dict[str, Any] = r, ref: dict[str, Any] = ref) -> str:
            return f"{r[key] / ref[key]:.2f}" if ref.get(key) else "-"

        lines.append(
            f"{r['set']:<38} {r['model']:<6} {r['train_n']:>9} {r['test_n']:>8} "
            f"{r['fit_seconds']:>8.2f} {r['predict_seconds']:>7.2f} {r['peak_mib']:>9.0f} "
            f"{r['auc']:>6.3f} {r['accuracy']:>6.3f} {r['rmse']:>6.3f} {ratio('fit_seconds'):>9} "
            f"{ratio('predict_seconds'):>10} "
            f"{ref['auc'] if ref.get('auc') else float('nan'):>9.3f}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 generated answers")
    parser.add_argument("--skip-pybkt", action="store_true", help="Tongke models only")
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        model, train, test, fmt, seed, out = args.child
        child(model, train, test, fmt, int(seed), out)
        return
    print(f"kt bench: {conditions('at start')}", flush=True)
    sets = prepare(args.quick, args.seed)
    python = None
    if not args.skip_pybkt:
        try:
            python = ensure_pybkt()
        except RuntimeError as exc:
            print(f"pyBKT unavailable, compared with nothing: {exc}", flush=True)
    rows = []
    for entry in sets:
        reference = run_pybkt(python, entry, args.seed) if python else None
        base = {"set": entry["name"], "train_n": entry["train_n"], "test_n": entry["test_n"]}
        if reference is not None:
            rows.append({**base, "model": "pyBKT", **reference})
            print(f"{entry['name']}: pyBKT {reference}", flush=True)
        for model in args.models.split(","):
            result = run_tongke(entry, model, args.seed)
            rows.append({**base, "model": model, **result, "reference": reference})
            print(f"{entry['name']}: {model} {result}", flush=True)
    print()
    print(table(rows))
    print(f"\nconditions: {conditions('at end')}")


if __name__ == "__main__":
    main()
