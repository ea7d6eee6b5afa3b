"""Secure multi-party computation for machine learning: SecureML-style training on additive secret shares
(linear and logistic regression, ``training``; the lecture's 784-128-128-10 network, ``network``; two real
party processes, ``twoprocess``) and MPyC parties for the salary average (``mpyc_parties``)."""

from .mpyc_parties import mpyc_average
from .network import NetworkConfig, SecureNetwork
from .training import PlainLinearModel, SecureLinearModel, hospital_split, piecewise_sigmoid

__all__ = ["NetworkConfig", "PlainLinearModel", "SecureLinearModel", "SecureNetwork", "hospital_split",
           "mpyc_average", "piecewise_sigmoid"]
