"""Garbled circuits: free-XOR, point-and-permute and half-gates over fixed-key AES, vectorized over lanes.

``LocalEngine`` runs garbler and evaluator in one process (notebooks, the one-process benchmark);
``run_two_party`` runs them as two processes over a local socket; ``PlainEngine`` gives the plaintext
reference and exact AND-gate counts. Values are ``GarbledInt`` arrays with numpy-style operators.
"""

from .engine import Engine, EvaluatorEngine, GarblerEngine, LocalEngine, PlainEngine
from .values import GarbledInt, concatenate, decode, encode, stack, where

__all__ = ["Engine", "PlainEngine", "LocalEngine", "GarblerEngine", "EvaluatorEngine", "GarbledInt",
           "encode", "decode", "where", "concatenate", "stack"]
