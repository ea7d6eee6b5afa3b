"""Secure multi-party training (SecureML-style) on additive secret shares: linear and logistic regression."""

from .training import PlainLinearModel, SecureLinearModel, hospital_split, piecewise_sigmoid

__all__ = ["PlainLinearModel", "SecureLinearModel", "hospital_split", "piecewise_sigmoid"]
