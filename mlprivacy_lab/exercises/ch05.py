"""Chapter 5 exercises: free XOR by hand, and what a garbled circuit weighs."""

from __future__ import annotations

from ..crypto.aes import LABEL_BYTES
from .core import Exercise, Mistake

#: Wire labels as 128-bit integers (the engine's labels are 16-byte strings; same XOR).
DELTA = 0x9E3779B97F4A7C15F39CC0605CEDC835 | 1  # point-and-permute: Delta's last bit is 1
A0 = 0x243F6A8885A308D313198A2E03707344
B0 = 0xA4093822299F31D0082EFA98EC4E6C89
AND_GATES, XOR_GATES = 1000, 3000


def _xor_output() -> int:
    a1, b1 = A0 ^ DELTA, B0 ^ DELTA  # Bob holds the labels of a = 1 and b = 1
    return a1 ^ b1


def _table_bytes() -> int:
    return AND_GATES * 2 * LABEL_BYTES  # half-gates: two ciphertexts per AND, none per XOR


def _integer(answer: object) -> int:
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise ValueError(f"expected an integer (hex is fine: 0x...), got {answer!r}")
    return answer


EXERCISES = [
    Exercise(
        "05", "free_xor",
        f"With free XOR (Kolesnikov & Schneider 2008) the garbler picks a global Delta = {DELTA:#x} and gives "
        f"every wire the labels W0 and W1 = W0 ^ Delta. Wire a has W0 = {A0:#x}, wire b has W0 = {B0:#x}, "
        "and the XOR gate's output wire has W0 = W0_a ^ W0_b. Bob holds the labels for a = 1 and b = 1. "
        "Which output label does he compute (an integer)?",
        _xor_output,
        hint="Bob XORs the two labels he holds; write each as W0 ^ Delta and see what cancels.",
        common_mistakes=[
            Mistake(A0 ^ B0 ^ DELTA, "that is the output's 1-label, but 1 XOR 1 = 0: the two Deltas cancel."),
            Mistake((A0 ^ DELTA) + (B0 ^ DELTA), "labels combine by XOR, not integer addition."),
            Mistake(A0 ^ DELTA, "that is wire a's label alone: XOR it with wire b's label."),
        ],
        prepare=_integer,
        explanation="Bob gets the 0-label without learning it means 0: no ciphertext, no hash, free.",
        given={"delta": DELTA, "a0": A0, "b0": B0},
    ),
    Exercise(
        "05", "garbled_table_bytes",
        f"A circuit has {AND_GATES} AND gates and {XOR_GATES} XOR gates, garbled with half-gates and free XOR "
        f"and {LABEL_BYTES}-byte labels. How many bytes of garbled tables does Alice send to Bob?",
        _table_bytes,
        hint="count the ciphertexts per AND gate under half-gates and per XOR gate under free XOR.",
        common_mistakes=[
            Mistake(AND_GATES * 4 * LABEL_BYTES, "four ciphertexts per gate is Yao's textbook gate; half-gates "
                                                 "need two."),
            Mistake(AND_GATES * 3 * LABEL_BYTES, "three ciphertexts per gate is row reduction (GRR3); half-gates "
                                                 "need two."),
            Mistake((AND_GATES + XOR_GATES) * 2 * LABEL_BYTES, "XOR gates are free: they send nothing."),
        ],
        prepare=_integer,
        explanation="this is why circuits are compared by their AND gates: chapter 5 measures 32 bytes per "
                    "AND in the engine.",
    ),
]
