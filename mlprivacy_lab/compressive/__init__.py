"""Compressive privacy (Kung 2017, 2018; CPGAN)."""

from .baselines import NoisyPCA
from .cpgan import CPGAN, reconstruct, train_reconstructor
from .dca import DCA, scatter_matrices
from .evaluation import (UNPROTECTED, PrivacyUtility, comparison_datasets, dimension_sweep, dominance, evaluate,
                         intruder_mse, mean_guess_mse, privacy_utility_sweep, unprotected_baseline, utility_accuracy)
from .intruders import AttackReport, FourierRidgeIntruder, NeuralIntruder, RidgeIntruder, default_intruders, strongest_attack

__all__ = ["CPGAN", "DCA", "UNPROTECTED", "AttackReport", "FourierRidgeIntruder", "NeuralIntruder", "NoisyPCA",
           "PrivacyUtility", "RidgeIntruder", "comparison_datasets", "default_intruders", "dimension_sweep", "dominance",
           "evaluate", "intruder_mse", "mean_guess_mse", "privacy_utility_sweep", "reconstruct", "scatter_matrices",
           "strongest_attack", "train_reconstructor", "unprotected_baseline", "utility_accuracy"]
