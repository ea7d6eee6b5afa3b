"""Membership inference: was this record in the model's training set?

Three attacks, all scoring records so that larger means "more likely a member":

- ``threshold_scores``: the loss/confidence threshold attack (Yeom, Giacomelli, Fredrikson, Jha,
  "Privacy Risk in Machine Learning", CSF 2018, Sec. 3.2): members have lower loss;
- ``ShadowModelAttack``: shadow models plus one attack classifier per class (Shokri, Stronati, Song,
  Shmatikov, "Membership Inference Attacks Against Machine Learning Models", S&P 2017, Sec. IV);
- ``LiRA``: the likelihood-ratio attack, online and offline (Carlini, Chien, Nasr, Song, Terzis,
  Tramer, "Membership Inference Attacks From First Principles", S&P 2022, Algorithm 1).

The attacks take confidence arrays, so they run on what any endpoint discloses. The
experiment helpers train target and shadow models with a caller-supplied
``train_fn(X, y, seed) -> model`` (plain Adam here, DP-SGD in chapter 3) and query every
model through ``mlprivacy_lab.api.PredictionAPI``: the attacker sees the targets only through
the endpoint and passes its own shadow models through the same disclosure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from scipy.stats import norm
from tqdm.auto import tqdm

from ..api import PredictionAPI
from ..data import mnist5k_split
from ..models import mlp, train_classifier
from . import metrics

TrainFn = Callable[[np.ndarray, np.ndarray, int], Any]
ATTACKS = ("threshold", "shadow", "lira_offline", "lira_online")
_TINY = 1e-45  # the smallest float32 probability: keeps log(0) finite (as in Carlini et al.'s code)


def _check_confidences(confidences: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    conf = np.asarray(confidences, dtype=np.float64)
    y = np.asarray(y)
    if conf.ndim < 2:
        raise ValueError(f"confidences must have shape (..., n_records, n_classes), got {conf.shape}")
    if y.ndim != 1 or conf.shape[-2] != y.size:
        raise ValueError(f"confidences cover {conf.shape[-2]} records but y has shape {y.shape}; "
                         "pass one label per record")
    if y.size == 0:
        raise ValueError("no records to attack: pass at least one record")
    if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= conf.shape[-1]:
        raise ValueError(f"y must hold integer labels in [0, {conf.shape[-1] - 1}]")
    if np.isnan(conf).any() or (conf < 0).any():
        raise ValueError("confidences must be non-negative numbers (what PredictionAPI.query returns)")
    return conf, y


def log_odds(confidences: np.ndarray, y: np.ndarray, floor: float = _TINY) -> np.ndarray:
    """phi = log p_y - log sum_{j != y} p_j: the logit-scaled confidence of the true class
    (Carlini et al. 2022, Sec. IV-B, Eq. 4), computed from the other classes' sum so that it keeps
    resolving confidences within 1e-7 of 1. Both terms are raised to at least ``floor``: an endpoint
    that rounds to d decimals reports anything below 0.5e-d as 0 (``disclosure_floor``).
    Shape (..., n_records)."""
    conf, y = _check_confidences(confidences, y)
    is_true = np.arange(conf.shape[-1]) == y[:, None]
    true = np.where(is_true, conf, 0.0).sum(-1)
    others = np.where(is_true, 0.0, conf).sum(-1)
    return np.log(np.maximum(true, floor)) - np.log(np.maximum(others, floor))


def disclosure_floor(decimals: int | None = None, **_: Any) -> float:
    """The smallest confidence an endpoint can report as non-zero: half its rounding step 0.5e-d for
    ``decimals=d``, else the smallest float32. Takes ``PredictionAPI`` keyword options."""
    return _TINY if decimals is None else 0.5 * 10.0 ** -decimals


def threshold_scores(confidences: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The loss threshold attack (Yeom et al. 2018, Sec. 3.2): a record is a member when its loss
    -log p_y is below a threshold. Sweeping the threshold gives the ROC; we score with the log-odds
    ``log_odds``, a strictly increasing function of p_y and so the same ranking as -loss, but one that
    does not round to 0 for confidences within 1e-16 of 1."""
    return log_odds(confidences, y)


def _check_shadows(shadow_confidences: np.ndarray, shadow_keep: np.ndarray, y: np.ndarray):
    conf, y = _check_confidences(shadow_confidences, y)
    keep = np.asarray(shadow_keep, dtype=bool)
    if conf.ndim != 3 or keep.shape != conf.shape[:2]:
        raise ValueError(f"shadow_confidences must be (n_shadows, n_records, n_classes) and shadow_keep "
                         f"(n_shadows, n_records); got {conf.shape} and {keep.shape}")
    return conf, keep, y


class LiRA:
    """The likelihood-ratio attack (Carlini et al., S&P 2022, Algorithm 1).

    For each record, fit Gaussians to the log-odds phi (``log_odds``) of the shadow models that
    trained on it (IN) and of those that did not (OUT). ``online=True`` scores the target's phi by the
    log-likelihood ratio log N(phi; mu_in, s_in^2) - log N(phi; mu_out, s_out^2); ``online=False``
    (offline, OUT models only) by the one-sided test -log Pr[Z > phi], Z ~ N(mu_out, s_out^2).
    ``floor`` is passed to ``log_odds`` (use ``disclosure_floor`` of the endpoint's options).
    ``fix_variance`` uses one variance over all records, which the paper recommends below 64 shadow
    models (Sec. VI-A); ``None`` chooses it that way. Means are medians, as in the authors' code.
    """

    def __init__(self, online: bool = True, fix_variance: bool | None = None, min_std: float = 1e-3,
                 floor: float = _TINY) -> None:
        if min_std <= 0 or not 0 < floor < 1:
            raise ValueError(f"min_std must be positive and floor in (0, 1), got {min_std} and {floor}")
        self.online = online
        self.floor = floor
        self.fix_variance = fix_variance
        self.min_std = min_std

    def _stats(self, phi: np.ndarray, keep: np.ndarray, fixed: bool) -> tuple[np.ndarray, np.ndarray]:
        masked = np.where(keep, phi, np.nan)
        if np.isnan(masked).all(axis=0).any():
            raise ValueError("every record needs at least one shadow model on each side (IN and OUT); "
                             "use more shadow models, e.g. complementary_halves(n_shadows >= 2, ...)")
        mean = np.nanmedian(masked, axis=0)
        std = np.full(mean.shape, np.nanstd(masked - mean)) if fixed else np.nan_to_num(np.nanstd(masked, axis=0))
        return mean, np.maximum(std, self.min_std)

    def fit(self, shadow_confidences: np.ndarray, shadow_keep: np.ndarray, y: np.ndarray) -> "LiRA":
        """``shadow_confidences`` (n_shadows, n_records, n_classes) as disclosed; ``shadow_keep`` says which
        shadow trained on which record; ``y`` the records' labels."""
        conf, keep, y = _check_shadows(shadow_confidences, shadow_keep, y)
        fixed = conf.shape[0] < 64 if self.fix_variance is None else self.fix_variance
        phi = log_odds(conf, y, self.floor)
        self.y_ = y
        self.mean_out_, self.std_out_ = self._stats(phi, ~keep, fixed)
        if self.online:
            self.mean_in_, self.std_in_ = self._stats(phi, keep, fixed)
        return self

    def score(self, confidences: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Membership scores of the same records (shape (n_records,) or (n_targets, n_records))."""
        if not hasattr(self, "y_"):
            raise ValueError("call fit(shadow_confidences, shadow_keep, y) before score")
        y = np.asarray(y)
        if y.shape != self.y_.shape or not np.array_equal(y, self.y_):
            raise ValueError("LiRA scores the records it was fitted on: pass the same y as to fit")
        phi = log_odds(confidences, y, self.floor)
        if self.online:
            return (norm.logpdf(phi, self.mean_in_, self.std_in_)
                    - norm.logpdf(phi, self.mean_out_, self.std_out_))
        return -norm.logsf(phi, self.mean_out_, self.std_out_)


class ShadowModelAttack:
    """Shokri et al. (S&P 2017), Sec. IV: shadow models imitate the target; their disclosed confidence
    vectors on records they did (IN) and did not (OUT) train on label a training set for one binary
    attack model per class (Sec. IV-D). Features are standardised log-confidences; the attack model is a
    small scikit-learn MLP (the paper used neural networks too)."""

    def __init__(self, hidden: Sequence[int] = (64,), seed: int = 0, floor: float = _TINY) -> None:
        self.hidden = tuple(hidden)
        self.seed = seed
        self.floor = floor

    def _features(self, conf: np.ndarray) -> np.ndarray:
        return np.log(np.maximum(conf, self.floor))

    def fit(self, shadow_confidences: np.ndarray, shadow_keep: np.ndarray, y: np.ndarray) -> "ShadowModelAttack":
        from sklearn.neural_network import MLPClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        conf, keep, y = _check_shadows(shadow_confidences, shadow_keep, y)
        n_classes = conf.shape[-1]
        X = self._features(conf).reshape(-1, n_classes)
        member = keep.ravel()
        labels = np.broadcast_to(y, keep.shape).ravel()
        self.models_ = {}
        for c in range(n_classes):
            rows = labels == c
            if rows.any() and len(np.unique(member[rows])) == 2:
                model = make_pipeline(StandardScaler(), MLPClassifier(self.hidden, max_iter=300, early_stopping=True,
                                                                      random_state=self.seed))
                self.models_[c] = model.fit(X[rows], member[rows])
        return self

    def score(self, confidences: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Each record's member probability from its class's attack model (0.5 for a class the shadows
        never showed both ways)."""
        if not hasattr(self, "models_"):
            raise ValueError("call fit(shadow_confidences, shadow_keep, y) before score")
        conf, y = _check_confidences(confidences, y)
        X = self._features(conf)
        labels = np.broadcast_to(y, X.shape[:-1])
        scores = np.full(X.shape[:-1], 0.5)
        for c, model in self.models_.items():
            rows = labels == c
            scores[rows] = model.predict_proba(X[rows])[:, 1]
        return scores


def complementary_halves(n_models: int, n_records: int, seed: int = 0) -> np.ndarray:
    """Training-set masks (n_models, n_records): models 2j and 2j+1 train on a random half and its
    complement, so every model sees n_records // 2 records and (for even n_models) every record is IN
    for exactly half of the models, as LiRA's online variant needs."""
    if int(n_models) != n_models or n_models < 1:
        raise ValueError(f"n_models must be a positive integer, got {n_models!r}")
    if int(n_records) != n_records or n_records < 2:
        raise ValueError(f"n_records must be an integer >= 2, got {n_records!r}")
    rng = np.random.default_rng(seed)
    keep = np.zeros((n_models, n_records), dtype=bool)
    for j in range(0, n_models, 2):
        half = rng.permutation(n_records)[: n_records // 2]
        keep[j, half] = True
        if j + 1 < n_models:
            keep[j + 1] = ~keep[j]
            keep[j + 1, rng.choice(np.flatnonzero(keep[j + 1]), n_records % 2, replace=False)] = False
    return keep


@dataclass
class ModelPool:
    """Models and, for each, which records of the pool it trained on (``keep``: (n_models, n_records))."""

    models: list
    keep: np.ndarray


def train_models(X: np.ndarray, y: np.ndarray, train_fn: TrainFn, keep: np.ndarray, seed: int = 0,
                 progress: bool = True, desc: str = "training models") -> ModelPool:
    """Model i is ``train_fn(X[keep[i]], y[keep[i]], seed + i)``."""
    keep = np.asarray(keep, dtype=bool)
    if len(X) != len(y) or keep.ndim != 2 or keep.shape[1] != len(y):
        raise ValueError(f"X ({len(X)} rows), y ({len(y)}) and keep {keep.shape} must describe the same records")
    if not keep.any(axis=1).all():
        raise ValueError("every model needs at least one training record (an empty member set was given)")
    models = [train_fn(X[k], y[k], seed + i) for i, k in enumerate(tqdm(keep, desc=desc, disable=not progress))]
    return ModelPool(models, keep)


def query_models(models: Sequence[Any], X: np.ndarray, n_classes: int, **disclosure) -> tuple[np.ndarray, int]:
    """Every model's answers on ``X`` through a ``PredictionAPI(model, n_classes, **disclosure)``
    (e.g. ``mode="rounded", decimals=2``): an (n_models, n_records, n_classes) array and the query count."""
    apis = [PredictionAPI(model, n_classes, **disclosure) for model in models]
    answers = np.stack([api.query(X) for api in apis])
    return answers, sum(api.queries for api in apis)


def mlp_train_fn(n_features: int, n_classes: int, hidden: Sequence[int] = (256,), epochs: int = 30,
                 batch_size: int = 64, lr: float = 1e-3, weight_decay: float = 0.0) -> TrainFn:
    """A ``train_fn(X, y, seed)`` that trains ``models.mlp`` with ``models.train_classifier``."""

    def train(X: np.ndarray, y: np.ndarray, seed: int):
        torch.manual_seed(seed)
        return train_classifier(mlp(n_features, n_classes, hidden), X, y, epochs=epochs, batch_size=batch_size,
                                lr=lr, weight_decay=weight_decay, seed=seed, progress=False)

    return train


@dataclass
class AttackResult:
    """Scores for every (target model, record) pair, flattened, with the truth and the queries it cost."""

    name: str
    scores: np.ndarray
    is_member: np.ndarray
    target_queries: int

    def summary(self) -> dict:
        return metrics.summary(self.scores, self.is_member)


def best_attack(results: dict[str, AttackResult | dict], metric: str = "auc") -> tuple[str, float]:
    """The strongest attack and its score on ``metric``, from ``AttackResult``s or their summaries: how the book
    scores a remedy or a defence (the attacker picks the attack that works best)."""
    scores = {name: (r.summary() if isinstance(r, AttackResult) else r)[metric] for name, r in results.items()}
    name = max(scores, key=scores.get)
    return name, scores[name]


@dataclass
class MembershipExperiment:
    """Targets and shadows trained on halves of one pool of records (LiRA's setup, Sec. VI-A).

    The attacker knows the pool and the training algorithm, trains the shadows, and sees each target
    only through a ``PredictionAPI``. Scores are pooled over the target models, so a low FPR rests on
    ``n_targets * n_records / 2`` non-members.
    """

    X: np.ndarray
    y: np.ndarray
    n_classes: int
    targets: ModelPool
    shadows: ModelPool

    @classmethod
    def train(cls, X: np.ndarray, y: np.ndarray, train_fn: TrainFn, n_targets: int, n_shadows: int,
              n_classes: int | None = None, seed: int = 0, progress: bool = True) -> "MembershipExperiment":
        """Targets and shadows each train on ``complementary_halves`` of (X, y) with their own seeds."""
        if n_targets < 1 or n_shadows < 2:
            raise ValueError(f"need n_targets >= 1 and n_shadows >= 2, got {n_targets} and {n_shadows}")
        X, y = np.asarray(X), np.asarray(y)
        n_classes = int(y.max()) + 1 if n_classes is None else n_classes
        targets = train_models(X, y, train_fn, complementary_halves(n_targets, len(y), seed), seed,
                               progress, "training targets")
        shadows = train_models(X, y, train_fn, complementary_halves(n_shadows, len(y), seed + 1),
                               seed + 10_000, progress, "training shadows")
        return cls(X, y, n_classes, targets, shadows)

    def run(self, attacks: Sequence[str] = ATTACKS, **disclosure) -> dict[str, AttackResult]:
        """Run ``attacks`` against the targets behind ``PredictionAPI(..., **disclosure)``. The attacker knows
        the endpoint's options: its shadows answer through the same disclosure, and log-confidences are
        floored at the rounding step (``disclosure_floor``)."""
        unknown = set(attacks) - set(ATTACKS)
        if unknown:
            raise ValueError(f"unknown attacks {sorted(unknown)}; choose from {', '.join(ATTACKS)}")
        target_conf, queries = query_models(self.targets.models, self.X, self.n_classes, **disclosure)
        shadow_conf = query_models(self.shadows.models, self.X, self.n_classes, **disclosure)[0]
        floor = disclosure_floor(**disclosure)
        attackers = {"shadow": lambda: ShadowModelAttack(floor=floor),
                     "lira_offline": lambda: LiRA(online=False, floor=floor),
                     "lira_online": lambda: LiRA(online=True, floor=floor)}
        results = {}
        for name in attacks:
            if name == "threshold":
                scores = threshold_scores(target_conf, self.y)
            else:
                scores = attackers[name]().fit(shadow_conf, self.shadows.keep, self.y).score(target_conf, self.y)
            results[name] = AttackResult(name, scores.ravel(), self.targets.keep.ravel(), queries)
        return results


def vulnerable_mnist(n_records: int = 1000, epochs: int = 30, hidden: Sequence[int] = (256,)
                     ) -> tuple[np.ndarray, np.ndarray, TrainFn]:
    """The chapter's vulnerable target, after LiRA's small-data experiments (Carlini et al. 2022,
    Sec. VI): a pool of ``n_records`` MNIST-5k training digits, of which each target trains on half,
    and a ``train_fn`` for an MLP trained to 100% training accuracy (``epochs`` of Adam, no weight decay)."""
    data = mnist5k_split()
    if not 2 <= n_records <= len(data.y_train):
        raise ValueError(f"n_records must be in [2, {len(data.y_train)}], got {n_records}")
    train_fn = mlp_train_fn(data.n_features, data.n_classes, hidden=hidden, epochs=epochs)
    return data.X_train[:n_records], data.y_train[:n_records], train_fn


def plot_lira_record(experiment: MembershipExperiment, record: int, ax=None, **disclosure):
    """LiRA's view of one record (Carlini et al. 2022, Fig. 3): histograms of the shadow models' log-odds
    when IN and OUT, their Gaussians, and each target model's log-odds marked (solid: a member target)."""
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.subplots(figsize=(9, 4.5))[1]
    x, y = experiment.X[record:record + 1], experiment.y[record:record + 1]
    floor = disclosure_floor(**disclosure)
    shadow_phi, target_phi = (
        log_odds(query_models(pool.models, x, experiment.n_classes, **disclosure)[0], y, floor)[:, 0]
        for pool in (experiment.shadows, experiment.targets))
    keep = experiment.shadows.keep[:, record]
    grid = np.linspace(min(shadow_phi.min(), target_phi.min()) - 2, max(shadow_phi.max(), target_phi.max()) + 2, 300)
    for side, color, label in ((keep, "tab:red", "IN shadows"), (~keep, "tab:blue", "OUT shadows")):
        ax.hist(shadow_phi[side], bins=grid[::10], density=True, alpha=0.4, color=color, label=label)
        ax.plot(grid, norm.pdf(grid, np.median(shadow_phi[side]), max(shadow_phi[side].std(), 1e-3)), color=color, lw=2)
    for phi, member in zip(target_phi, experiment.targets.keep[:, record]):
        ax.axvline(phi, color="k", ls="-" if member else ":", lw=2)
    ax.set(xlabel=r"log-odds $\varphi = \log p_y - \log\sum_{j\neq y} p_j$", ylabel="density",
           title=f"record {record}: target models (solid = trained on it, dotted = not)")
    ax.legend(fontsize=11)
    return ax
