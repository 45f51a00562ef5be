"""The relevance model learnt from a curator's verdicts (scikit-learn).

``train(db, path)`` fits a logistic regression on character n-grams of the reviewed
changes (hashed, so the model is a plain weight vector), reports cross-validated
precision and recall of the model, of the vocabulary score stored by the analyzers,
and of the two blended, and saves the model beside the database as
``<database>.model.npz`` (numpy arrays only, no pickle). ``load(path)`` gives the
model to the analyzers through :class:`~monitor.models.AnalysisContext`; without a
model file, the vocabulary alone decides.

scikit-learn is imported only when a model is trained or used.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from monitor.analyze.verdicts import Verdict, database_path, verdicts
from monitor.errors import ConfigError
from monitor.models import RELEVANT_AT, AnalysisContext

MIN_VERDICTS = 10
MIN_PER_CLASS = 3
N_FEATURES = 2**18
NGRAMS = (2, 5)
MAX_MODEL_WEIGHT = 0.5
HALF_WEIGHT_AT = 100


def model_path(db_path: Path) -> Path:
    """Where the model of a database lives: beside it."""
    return db_path.with_name(db_path.name + ".model.npz")


def model_weight(verdicts: int) -> float:
    """How much the model counts against the vocabulary, from its number of verdicts."""
    return MAX_MODEL_WEIGHT * verdicts / (verdicts + HALF_WEIGHT_AT) if verdicts > 0 else 0.0


def _vectorizer() -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer="char_wb",
        ngram_range=NGRAMS,
        n_features=N_FEATURES,
        alternate_sign=False,
        lowercase=True,
        norm="l2",
    )


class TrainedModel:
    """A logistic regression over hashed character n-grams."""

    def __init__(self, coef: Any, intercept: float, verdicts: int) -> None:
        self.coef = coef
        self.intercept = intercept
        self.verdicts = verdicts
        self._vec = _vectorizer()

    def probability(self, text: str) -> float:
        """The probability that the curator marks ``text`` relevant."""
        import numpy as np

        x = self._vec.transform([text[:20000]])
        z = float((x @ self.coef)[0]) + self.intercept
        return float(1.0 / (1.0 + np.exp(-z)))

    def save(self, path: Path) -> None:
        import numpy as np

        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(
            tmp, coef=self.coef, intercept=np.array([self.intercept]), verdicts=np.array([self.verdicts])
        )
        tmp.replace(path)


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> TrainedModel:
    import numpy as np

    with np.load(path, allow_pickle=False) as data:
        return TrainedModel(data["coef"], float(data["intercept"][0]), int(data["verdicts"][0]))


def load(db_path: Path | None) -> TrainedModel | None:
    """The model saved beside ``db_path``, or ``None`` when there is none (or it is unreadable)."""
    if db_path is None:
        return None
    p = model_path(db_path)
    try:
        return _load(str(p), p.stat().st_mtime)
    except (OSError, ValueError, KeyError):
        return None


def context_for(db: Database) -> AnalysisContext:
    """What analyzers get during a crawl on ``db``: its model, if one was trained."""
    return AnalysisContext(model=load(database_path(db)))


@dataclass(frozen=True)
class TrainReport:
    """What ``twinwatch model train`` prints."""

    verdicts: int
    relevant: int
    folds: int
    model: tuple[float, float]
    """Cross-validated (precision, recall) of the model alone."""
    vocabulary: tuple[float, float] | None
    """(precision, recall) of the stored vocabulary score, on the same verdicts."""
    blended: tuple[float, float] | None
    weight: float
    path: Path
    seconds: float

    def lines(self) -> list[str]:
        out = [
            f"{self.verdicts} verdicts ({self.relevant} relevant, {self.verdicts - self.relevant} "
            f"not relevant), {self.folds}-fold cross-validation, {self.seconds:.1f} s"
        ]
        out.append(f"model alone:       precision {self.model[0]:.2f}  recall {self.model[1]:.2f}")
        if self.vocabulary:
            out.append(
                f"vocabulary alone:  precision {self.vocabulary[0]:.2f}  recall {self.vocabulary[1]:.2f}"
            )
        if self.blended:
            out.append(
                f"blended (w={self.weight:.2f}): precision {self.blended[0]:.2f}  "
                f"recall {self.blended[1]:.2f}"
            )
        out.append(f"model saved to {self.path}")
        return out


def _pr(truth: list[bool], pred: list[bool]) -> tuple[float, float]:
    tp = sum(t and p for t, p in zip(truth, pred, strict=True))
    fp = sum(p and not t for t, p in zip(truth, pred, strict=True))
    fn = sum(t and not p for t, p in zip(truth, pred, strict=True))
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def train(db: Database, db_path: Path) -> TrainReport:
    """Fit the model on the verdicts in ``db``, cross-validate it, save it beside ``db_path``.

    Raises:
        ConfigError: too few verdicts, or only one kind.
    """
    import time

    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    started = time.perf_counter()
    data: list[Verdict] = verdicts(db)
    pos = sum(v.relevant for v in data)
    neg = len(data) - pos
    if len(data) < MIN_VERDICTS or min(pos, neg) < MIN_PER_CLASS:
        raise ConfigError(
            f"not enough verdicts to learn from: {pos} relevant and {neg} not relevant; need at least "
            f"{MIN_VERDICTS} in all and {MIN_PER_CLASS} of each (review changes with "
            "'twinwatch review ID --status relevant|irrelevant' or in the dashboard)"
        )
    x = _vectorizer().transform([v.text for v in data])
    y = np.array([v.relevant for v in data])
    clf = LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear", max_iter=200)
    folds = min(5, pos, neg)
    proba = cross_val_predict(
        clf, x, y, cv=StratifiedKFold(folds, shuffle=True, random_state=0), method="predict_proba", n_jobs=1
    )[:, 1]
    truth = [bool(t) for t in y]
    model_pr = _pr(truth, [p >= RELEVANT_AT for p in proba])
    weight = model_weight(len(data))
    vocab_pr = blended_pr = None
    scored = [(i, v.vocabulary_score) for i, v in enumerate(data) if v.vocabulary_score is not None]
    if scored:
        idx = [i for i, _ in scored]
        vocab = [s for _, s in scored if s is not None]
        sub = [truth[i] for i in idx]
        vocab_pr = _pr(sub, [s >= RELEVANT_AT for s in vocab])
        blended_pr = _pr(
            sub,
            [(1 - weight) * s + weight * proba[i] >= RELEVANT_AT for i, s in zip(idx, vocab, strict=True)],
        )
    clf.fit(x, y)
    model = TrainedModel(clf.coef_[0].astype("float32"), float(clf.intercept_[0]), len(data))
    path = model_path(db_path)
    model.save(path)
    return TrainReport(
        len(data), pos, folds, model_pr, vocab_pr, blended_pr, weight, path, time.perf_counter() - started
    )
