"""Certified robustness: bounds on a network's output over an input box (Wong & Kolter 2018)."""
