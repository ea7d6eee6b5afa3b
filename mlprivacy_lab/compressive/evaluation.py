"""The fair privacy-utility evaluation of a compressor (Tseng & Wu 2020, Sec. V).

Utility: a fresh classifier trained on the released training data, accuracy on the released test data.
Privacy: a fresh intruder reconstructor that did not take part in training the compressor, trained on the
released training data paired with the (public) raw training rows; its mean squared error per coordinate
on the test rows. The CPGAN's own R is *not* used: an attacker may be stronger than the one G fought.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from tqdm.auto import tqdm

from ..data import Dataset, make_gaussian_mixture, mnist5k_split
from ..models import accuracy, mlp, train_classifier
from .baselines import baselines
from .cpgan import CPGAN, reconstruct, train_reconstructor


@dataclass(frozen=True)
class PrivacyUtility:
    """One point of the privacy-utility figure; ``reconstruction`` holds the intruder's test-row guesses."""

    method: str
    utility_accuracy: float
    intruder_mse: float
    lam: float | None = None
    reconstruction: np.ndarray | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "reconstruction"}


def utility_accuracy(Z_train: np.ndarray, y_train: np.ndarray, Z_test: np.ndarray, y_test: np.ndarray, *,
                     hidden: Sequence[int] = (64,), epochs: int = 20, lr: float = 1e-3, seed: int = 0) -> float:
    """Test accuracy of a fresh MLP classifier (``hidden=()``: logistic regression) on released data."""
    n_classes = int(max(y_train.max(), y_test.max())) + 1
    model = train_classifier(mlp(Z_train.shape[1], n_classes, hidden), Z_train, y_train, epochs=epochs,
                             lr=lr, seed=seed, progress=False)
    return accuracy(model, Z_test, y_test)


def intruder_mse(Z_train: np.ndarray, X_train: np.ndarray, Z_test: np.ndarray, X_test: np.ndarray, *,
                 hidden: Sequence[int] = (128,), epochs: int = 20, lr: float = 1e-3, seed: int = 0,
                 return_reconstruction: bool = False):
    """Mean squared error per coordinate of a fresh intruder's reconstruction of the test rows."""
    model = train_reconstructor(Z_train, X_train, hidden=hidden, epochs=epochs, lr=lr, seed=seed)
    X_hat = reconstruct(model, Z_test)
    mse = float(np.mean((X_hat - X_test) ** 2))
    return (mse, X_hat) if return_reconstruction else mse


def mean_guess_mse(data: Dataset) -> float:
    """The intruder's error when the release tells it nothing: guess the training mean for every row."""
    return float(np.mean((data.X_test - data.X_train.mean(0)) ** 2))


def evaluate(method: str, compressor, data: Dataset, *, classifier_hidden: Sequence[int] = (64,), reconstructor_hidden: Sequence[int] = (128,),
             epochs: int = 20, seed: int = 0) -> PrivacyUtility:
    """Fit ``compressor`` on the training rows (labels too: CPGAN uses them, PCA ignores them), release both
    splits, measure utility and privacy."""
    fit = compressor.fit(data.X_train, data.y_train)
    Z_train, Z_test = fit.transform(data.X_train), fit.transform(data.X_test)
    acc = utility_accuracy(Z_train, data.y_train, Z_test, data.y_test, hidden=classifier_hidden,
                           epochs=epochs, seed=seed)
    mse, X_hat = intruder_mse(Z_train, data.X_train, Z_test, data.X_test, hidden=reconstructor_hidden,
                              epochs=epochs, seed=seed, return_reconstruction=True)
    return PrivacyUtility(method, round(acc, 4), round(mse, 5), getattr(compressor, "lam", None), X_hat)


def privacy_utility_sweep(data: Dataset, n_components: int, lambdas: Sequence[float], *, epochs: int = 20,
                          cpgan_epochs: int | None = None, noise_sigma: float = 1.0, hidden: Sequence[int] = (128,),
                          seed: int = 0) -> list[PrivacyUtility]:
    """The "comparison with previous works" figure's points: PCA, random projection, noisy PCA and a
    CPGAN per lambda, all at ``n_components``, each judged by a fresh classifier and a fresh intruder."""
    methods = baselines(n_components, noise_sigma, seed)
    for lam in lambdas:
        methods[f"CPGAN (lambda={lam:g})"] = CPGAN(n_components, lam, hidden=hidden,
                                                    epochs=cpgan_epochs or epochs, seed=seed)
    return [evaluate(name, method, data, epochs=epochs, seed=seed)
            for name, method in tqdm(methods.items(), desc="methods", leave=False)]


def comparison_datasets(quick: bool) -> dict[str, tuple[Dataset, int]]:
    """The data of the lecture's "comparison with previous works" figure, each with the dimension k it is
    compressed to: the binary Gaussian mixture (lecture: 20K/2K; 4K/400 when ``quick``) and MNIST-5k (lecture:
    MNIST 55K/10K)."""
    n_train, n_test = (4000, 400) if quick else (20000, 2000)
    mixture = make_gaussian_mixture(n_train + n_test, n_features=10, components_per_class=2, test_size=n_test,
                                    seed=0)
    return {"gaussian_mixture": (mixture, 2), "mnist5k": (mnist5k_split(), 16)}
