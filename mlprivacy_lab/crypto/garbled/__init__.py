"""Garbled circuits: free-XOR, point-and-permute and half-gates over fixed-key AES, vectorized over lanes.

``LocalEngine`` runs garbler and evaluator in one process (notebooks, the one-process benchmark);
``run_two_party`` (``twoparty.py``) runs a program as two processes over a local socket; ``PlainEngine``
gives the plaintext reference and exact AND-gate counts. Values are ``GarbledInt`` arrays of signed
fixed-point numbers with numpy-style operators::

    engine = LocalEngine()
    a = engine.input("garbler", alice_matrix, width=32, frac=16)     # Q16.16, lanes shaped like the array
    b = engine.input("evaluator", bob_matrix, width=32, frac=16)     # Bob's keys arrive by OT
    s = a + b
    t = where(s[0, 1] < 0, -s[0, 1], s[0, 1]) / (s[0, 0] * s[1, 1]).sqrt()
    values, vectors = jacobi_eigh(s)                                  # linalg.py
    engine.reveal(values)
"""

from .engine import Engine, EvaluatorEngine, GarblerEngine, LocalEngine, PlainEngine
from .linalg import jacobi_eigh
from .twoparty import TwoPartyResult, run_two_party
from .values import GarbledInt, concatenate, decode, encode, stack, where

__all__ = ["Engine", "PlainEngine", "LocalEngine", "GarblerEngine", "EvaluatorEngine", "GarbledInt",
           "encode", "decode", "where", "concatenate", "stack", "jacobi_eigh", "run_two_party", "TwoPartyResult"]
