"""Compressive privacy (Kung 2018; CPGAN)."""
