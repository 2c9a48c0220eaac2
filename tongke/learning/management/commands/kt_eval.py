"""``tongke kt-eval``: fit a knowledge-tracing model on one answer file, evaluate it on another.

Prints one JSON object (auc, accuracy, rmse, n_test, fit_seconds, predict_seconds, model) on
stdout. A bad input file is one line on stderr, ``kt-eval: <file>:<line>: <message>``, and
exit status 2, never a traceback.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongke.learning.kt.data import FORMATS, KTDataError, load
from tongke.learning.kt.evaluate import MODELS, BestModel, evaluate, make_model
from tongke.learning.kt.seq import SequenceModelUnavailable


class Command(BaseCommand):
    # Pure computation on files: no database, no URLs, so no system checks to wait for.
    requires_system_checks: list[str] = []
    help = (
        "Fit a knowledge-tracing model on the train learners and predict every answer of "
        "the test learners from their earlier answers only; print auc, accuracy, rmse, "
        "n_test, fit_seconds and predict_seconds as one JSON object."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--train", required=True, metavar="FILE", help="answers to fit on")
        parser.add_argument("--test", required=True, metavar="FILE", help="answers to predict")
        parser.add_argument(
            "--format",
            required=True,
            choices=FORMATS,
            help="lines3: count / ids / 0-1 answers per learner; "
            "csv: user_id,skill_id,correct[,timestamp]",
        )
        parser.add_argument("--model", required=True, choices=MODELS, help="the model to use")
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")

    def _fail(self, message: str) -> None:
        sys.stderr.write(f"kt-eval: {message}\n")
        sys.stderr.flush()
        raise SystemExit(2)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            model = make_model(options["model"], seed=options["seed"])
        except SequenceModelUnavailable as exc:
            self._fail(str(exc))
            return
        try:
            train = load(options["train"], options["format"])
            test = load(options["test"], options["format"])
        except KTDataError as exc:
            where = f"{exc.file}:{exc.line}" if exc.line > 0 else exc.file
            self._fail(f"{where}: {exc.message}")
            return
        except OSError as exc:
            self._fail(f"{exc.filename}: {exc.strerror}")
            return
        result: dict[str, Any] = {**evaluate(model, train, test), "model": options["model"]}
        if isinstance(model, BestModel):
            result["chosen"] = model.report.get("chosen")
        clean = {
            k: None if isinstance(v, float) and math.isnan(v) else v for k, v in result.items()
        }
        self.stdout.write(json.dumps(clean))
