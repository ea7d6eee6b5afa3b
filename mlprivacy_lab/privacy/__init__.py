"""Differential privacy: the Laplace and Gaussian mechanisms, DP-SGD from scratch and privacy accounting.

``from mlprivacy_lab.privacy import RDPAccountant, get_noise_multiplier`` gives the accountant API that
Opacus users know; Opacus itself is only used by the tests and the ``dpsgd`` benchmark.
"""

from .accountants import Accountant, CompositionAccountant, RDPAccountant, create_accountant, get_noise_multiplier
from .dpsgd import DPSGD, DPTrainingResult, clipped_gradient_sum, per_sample_gradients, train_dpsgd
from .mechanisms import GaussianMechanism, LaplaceMechanism, gaussian_delta, gaussian_epsilon, gaussian_sigma

__all__ = [
    "Accountant", "CompositionAccountant", "RDPAccountant", "create_accountant", "get_noise_multiplier",
    "DPSGD", "DPTrainingResult", "clipped_gradient_sum", "per_sample_gradients", "train_dpsgd",
    "GaussianMechanism", "LaplaceMechanism", "gaussian_delta", "gaussian_epsilon", "gaussian_sigma",
]
