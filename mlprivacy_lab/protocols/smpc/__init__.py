"""Secure multi-party training (SecureML-style) on additive secret shares: linear and logistic regression."""

from .training import PlainLinearModel, SecureLinearModel, piecewise_sigmoid

__all__ = ["PlainLinearModel", "SecureLinearModel", "piecewise_sigmoid"]
