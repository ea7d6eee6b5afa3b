"""Differential privacy: mechanisms, DP-SGD and privacy accounting."""
