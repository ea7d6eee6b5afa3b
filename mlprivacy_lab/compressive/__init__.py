"""Compressive privacy (Kung 2018; CPGAN)."""

from .baselines import NoisyPCA, baselines
from .cpgan import CPGAN, reconstruct, train_reconstructor
from .evaluation import (PrivacyUtility, comparison_datasets, evaluate, intruder_mse, mean_guess_mse,
                         privacy_utility_sweep, utility_accuracy)

__all__ = ["CPGAN", "NoisyPCA", "PrivacyUtility", "baselines", "comparison_datasets", "evaluate", "intruder_mse", "mean_guess_mse",
           "privacy_utility_sweep", "reconstruct", "train_reconstructor", "utility_accuracy"]
