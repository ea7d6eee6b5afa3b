"""Attacks on ML models: model inversion, membership inference, adversarial examples."""
