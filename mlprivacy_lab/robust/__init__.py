"""Certified robustness: bounds on a network's output over an input box (Wong & Kolter 2018)."""

from .dual_network import DualNetwork, lower_bound, margin_matrix, robust_loss
from .evaluation import bound_widths, certify
from .interval import interval_bounds, interval_lower_bound
from .lp import exact_minimum, lp_lower_bound

__all__ = ["DualNetwork", "bound_widths", "certify", "exact_minimum", "interval_bounds", "interval_lower_bound",
           "lower_bound", "lp_lower_bound",
           "margin_matrix", "robust_loss"]
