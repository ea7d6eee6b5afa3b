"""Garbled circuits: half-gates keys, the circuit library against numpy/Python integers, engines, errors."""

import math
import re
import secrets
import socket
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlprivacy_lab.crypto.aes import FixedKeyHash
from mlprivacy_lab.crypto.garbled import (GarbledInt, GarblerEngine, LocalEngine, PlainEngine, concatenate, stack,
                                          where)
from mlprivacy_lab.crypto.garbled.halfgates import EvaluatorCore, GarblerCore
from mlprivacy_lab.crypto.garbled.linalg import round_robin
from mlprivacy_lab.crypto.garbled.programs import and_gate_counts, distance, eigen, millionaires
from mlprivacy_lab.crypto.garbled.twoparty import run_two_party
from mlprivacy_lab.crypto.ot import Channel
from twoparty_programs import evaluator_dies, evaluator_raises, evaluator_stalls  # importable by the evaluator


@pytest.fixture(scope="module")
def local():
    return LocalEngine()  # one session: its base OTs run once for the whole module


# --- reference semantics with Python integers -------------------------------------------------------
def wrap(v, w, signed=True):
    v %= 1 << w
    return v - (1 << w) if signed and v >> (w - 1) else v


def ref_div(a, b, frac, w, signed=True):
    if b == 0:
        return 0
    q = (abs(a) << frac) // abs(b)
    return wrap(-q if (a < 0) != (b < 0) else q, w, signed)


def ref_sqrt(a, frac, w, signed=True):
    return 0 if a < 0 else wrap(math.isqrt(a << frac), w, signed)


REFERENCE = {
    "add": lambda a, b, f, w, s: wrap(a + b, w, s),
    "sub": lambda a, b, f, w, s: wrap(a - b, w, s),
    "mul": lambda a, b, f, w, s: wrap((a * b) >> f, w, s),
    "div": lambda a, b, f, w, s: ref_div(a, b, f, w, s),
    "lt": lambda a, b, f, w, s: int(a < b), "le": lambda a, b, f, w, s: int(a <= b),
    "gt": lambda a, b, f, w, s: int(a > b), "ge": lambda a, b, f, w, s: int(a >= b),
    "eq": lambda a, b, f, w, s: int(a == b), "ne": lambda a, b, f, w, s: int(a != b),
    "and": lambda a, b, f, w, s: wrap(a & b, w, s), "or": lambda a, b, f, w, s: wrap(a | b, w, s),
    "xor": lambda a, b, f, w, s: wrap(a ^ b, w, s),
    "neg": lambda a, b, f, w, s: wrap(-a, w, s), "abs": lambda a, b, f, w, s: wrap(abs(a), w, s),
    "invert": lambda a, b, f, w, s: wrap(~a, w, s), "sqrt": lambda a, b, f, w, s: ref_sqrt(a, f, w, s),
    "shl": lambda a, b, f, w, s: wrap(a << 1, w, s), "shr": lambda a, b, f, w, s: a >> 1,
    "where": lambda a, b, f, w, s: a if a < b else b,
}
CIRCUIT = {
    "add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y, "div": lambda x, y: x / y,
    "lt": lambda x, y: x < y, "le": lambda x, y: x <= y, "gt": lambda x, y: x > y, "ge": lambda x, y: x >= y,
    "eq": lambda x, y: x == y, "ne": lambda x, y: x != y, "and": lambda x, y: x & y, "or": lambda x, y: x | y,
    "xor": lambda x, y: x ^ y, "neg": lambda x, y: -x, "abs": lambda x, y: abs(x), "invert": lambda x, y: ~x,
    "sqrt": lambda x, y: x.sqrt(), "shl": lambda x, y: x << 1, "shr": lambda x, y: x >> 1,
    "where": lambda x, y: where(x < y, x, y),
}


def raw(values, frac):
    return np.asarray(values, dtype=np.float64) * 2 ** frac


def check_ops(engine, ops, a, b, width, frac=0, signed=True):
    x = engine.input("garbler", np.asarray(a) / 2 ** frac, width=width, frac=frac, signed=signed)
    y = engine.input("evaluator", np.asarray(b) / 2 ** frac, width=width, frac=frac, signed=signed)
    for op in ops:
        out = CIRCUIT[op](x, y)
        got = raw(engine.reveal(out), out.frac).astype(np.int64)
        want = np.array([REFERENCE[op](int(p), int(q), frac, width, signed) for p, q in zip(a, b)])
        assert np.array_equal(got, want), (op, [(p, q, g, e) for p, q, g, e in zip(a, b, got, want) if g != e][:5])


ALL_OPS = list(CIRCUIT)


@pytest.mark.parametrize("engine_kind", ["plain", "local"])
def test_every_operation_exhaustively_on_4_bit_signed(engine_kind, local):
    engine = PlainEngine() if engine_kind == "plain" else local
    grid = np.array([(p, q) for p in range(-8, 8) for q in range(-8, 8)])
    check_ops(engine, ALL_OPS, grid[:, 0], grid[:, 1], width=4)


def test_unsigned_operations_exhaustively_on_4_bits():
    grid = np.array([(p, q) for p in range(16) for q in range(16)])
    check_ops(PlainEngine(), ["add", "sub", "mul", "div", "lt", "ge", "eq", "sqrt", "shr", "where"],
              grid[:, 0], grid[:, 1], width=4, signed=False)


def test_fixed_point_operations_exhaustively_on_6_bits_with_2_fractional():
    grid = np.array([(p, q) for p in range(-32, 32) for q in range(-32, 32)])
    check_ops(PlainEngine(), ["mul", "div", "sqrt", "add", "lt"], grid[:, 0], grid[:, 1], width=6, frac=2)


EDGES_32 = [-2 ** 31, -2 ** 31 + 1, -65536, -3, -1, 0, 1, 2, 65536, 2 ** 31 - 1]


@pytest.mark.parametrize("frac", [0, 16])
def test_32_bit_edge_cases_garbled_match_python(local, frac):
    grid = np.array([(p, q) for p in EDGES_32 for q in EDGES_32])
    check_ops(local, ["add", "sub", "mul", "div", "lt", "eq", "sqrt", "neg", "abs"], grid[:, 0], grid[:, 1],
              width=32, frac=frac)


def test_numpy_int32_semantics_for_wrapping_arithmetic(local):
    a = np.array([2 ** 31 - 1, -2 ** 31, 123456, -98765], dtype=np.int32)
    b = np.array([1, -1, -654321, 4321], dtype=np.int32)
    x, y = local.input("garbler", a), local.input("evaluator", b)
    with np.errstate(over="ignore"):
        assert np.array_equal(local.reveal(x + y), a + b)
        assert np.array_equal(local.reveal(x - y), a - b)
        assert np.array_equal(local.reveal(x * y), a * b)
    assert np.array_equal(local.reveal(x < y), (a < b).astype(int))


def test_fixed_point_floats_decode_to_the_reals(local):
    x = local.input("garbler", [1.5, -2.25, 3.0, 0.1], width=32, frac=16)
    y = local.input("evaluator", [2.0, 0.5, 0.0, 0.3], width=32, frac=16)
    assert np.allclose(local.reveal(x * y), [3.0, -1.125, 0.0, 0.03], atol=2 ** -15)
    assert np.allclose(local.reveal(x / y), [0.75, -4.5, 0.0, 1 / 3], atol=2 ** -15)  # x / 0 = 0 (documented)
    assert np.allclose(local.reveal(x.sqrt()), [math.sqrt(1.5), 0.0, math.sqrt(3), math.sqrt(0.1)], atol=2 ** -15)


def apply(engine, program, inputs):
    vals = [engine.input("garbler" if k < 2 else "evaluator", v, width=8) for k, v in enumerate(inputs)]
    for op, i, j in program:
        vals.append(CIRCUIT[op](vals[i % len(vals)], vals[j % len(vals)]))
    return [engine.reveal(v) for v in vals[3:]]


def reference(program, inputs):
    vals = [list(v) for v in inputs]
    for op, i, j in program:
        x, y = vals[i % len(vals)], vals[j % len(vals)]
        vals.append([REFERENCE[op](p, q, 0, 8, True) for p, q in zip(x, y)])
    return vals[3:]


PROGRAM_OPS = [op for op in ALL_OPS if op not in {"lt", "le", "gt", "ge", "eq", "ne"}]  # 8-bit results only


@settings(max_examples=25, deadline=None)
@given(lanes=st.integers(1, 4), data=st.data())
def test_random_programs_garbled_equal_plaintext_and_python(local, lanes, data):
    """Random straight-line programs over random 8-bit inputs: garbled == plaintext circuit == Python ints."""
    inputs = [data.draw(st.lists(st.integers(-128, 127), min_size=lanes, max_size=lanes)) for _ in range(3)]
    program = data.draw(st.lists(st.tuples(st.sampled_from(PROGRAM_OPS), st.integers(0, 20), st.integers(0, 20)),
                                 min_size=1, max_size=6))
    garbled = apply(local, program, inputs)
    plain = apply(PlainEngine(), program, inputs)
    expect = reference(program, inputs)
    for g, p, e in zip(garbled, plain, expect):
        assert np.array_equal(g, p) and np.array_equal(g, e)


def test_and_gate_counts_follow_the_formulas():
    counts, w = and_gate_counts(), 32
    assert counts["add"] == counts["sub"] == counts["equal"] == w - 1
    assert counts["less_than"] == counts["mux"] == w
    assert counts["mul_int"] == counts["fixed_mul"] == 2 * w * w - 1
    assert counts["fixed_div"] > counts["div_int"] > w * w  # one (w+1)-bit add/subtract per quotient bit


# --- the keys themselves -----------------------------------------------------------------------------
def test_half_gates_and_table_opens_exactly_one_key():
    """For every input combination the evaluator ends with the garbler's key for a∧b, and 32 bytes per gate."""
    garbler, evaluator = GarblerCore(), EvaluatorCore()
    a0, b0 = garbler.zero_labels(4), garbler.zero_labels(4)
    bits_a, bits_b = np.array([0, 0, 1, 1], np.uint64), np.array([0, 1, 0, 1], np.uint64)
    c0, c = np.empty_like(a0), np.empty_like(a0)
    table = np.empty((2, 4, 2), np.uint64)
    garbler.garble_and(a0, b0, c0, table)
    assert table.nbytes == 32 * 4
    evaluator.evaluate_and(a0 ^ bits_a[:, None] * garbler.delta, b0 ^ bits_b[:, None] * garbler.delta, c, table)
    assert np.array_equal(c, c0 ^ (bits_a & bits_b)[:, None] * garbler.delta)
    assert garbler.delta[0] & 1 == 1  # point-and-permute


def test_half_gates_kernels_match_the_paper_formulas():
    """The fused kernels compute exactly ZRE15 Fig. 2 with H(x, j) = π(σ(x) ⊕ j) ⊕ σ(x) ⊕ j (FixedKeyHash),
    tweaks j = 2g, j' = 2g+1 continuing across calls, on labels with any row stride (both parties side by side)."""
    garbler, evaluator, hash_ = GarblerCore(), EvaluatorCore(), FixedKeyHash()
    delta, n = garbler.delta, 300
    for call in range(2):  # the second call continues the gate numbering
        wires = np.empty((2, n, 2, 2), np.uint64)  # (A, B) × gate × (garbler, evaluator) × word
        wires[:, :, 0] = garbler.zero_labels(2 * n).reshape(2, n, 2)
        bits = np.frombuffer(secrets.token_bytes(2 * n), np.uint8).reshape(2, n, 1).astype(np.uint64) & 1
        wires[:, :, 1] = wires[:, :, 0] ^ bits * delta
        out, table = np.empty((n, 2, 2), np.uint64), np.empty((2, n, 2), np.uint64)
        garbler.garble_and(wires[0, :, 0], wires[1, :, 0], out[:, 0], table)
        evaluator.evaluate_and(wires[0, :, 1], wires[1, :, 1], out[:, 1], table)
        a0, b0 = wires[0, :, 0], wires[1, :, 0]
        j = 2 * (call * n + np.arange(n, dtype=np.uint64))
        p_a, p_b = (a0[:, :1] & 1), (b0[:, :1] & 1)
        h_a0, h_a1 = hash_(a0, j), hash_(a0 ^ delta, j)
        h_b0, h_b1 = hash_(b0, j + 1), hash_(b0 ^ delta, j + 1)
        t_g = h_a0 ^ h_a1 ^ p_b * delta
        t_e = h_b0 ^ h_b1 ^ a0
        c0 = h_a0 ^ p_a * t_g ^ h_b0 ^ p_b * (t_e ^ a0)
        assert np.array_equal(table[0], t_g) and np.array_equal(table[1], t_e)
        assert np.array_equal(out[:, 0], c0)
        assert np.array_equal(out[:, 1], c0 ^ (bits[0] & bits[1]) * delta)


def test_xor_is_free_and_and_costs_32_bytes(local):
    x, y = local.input("garbler", [5, 6], width=8), local.input("evaluator", [3, 9], width=8)
    before = local.stats()
    z = x ^ y
    mid = local.stats()
    assert mid["table_bytes"] == before["table_bytes"] and local.reveal(z).tolist() == [6, 15]
    x & y
    after = local.stats()
    assert after["and_gates"] - mid["and_gates"] == 16 and after["table_bytes"] - mid["table_bytes"] == 32 * 16


def test_corrupted_table_is_caught_at_reveal():
    engine = LocalEngine()
    honest = engine.evaluator.evaluate_and

    def tampered(a, b, c, table):  # a gate uses a row when a colour bit is 1: flip a bit in every row
        table ^= np.uint64(1 << 40)
        honest(a, b, c, table)

    engine.evaluator.evaluate_and = tampered
    x, y = engine.input("garbler", [1, 2, 3], width=4), engine.input("garbler", [3, 3, 3], width=4)
    with pytest.raises(ValueError, match="neither key"):
        engine.reveal(x & y)


# --- errors --------------------------------------------------------------------------------------------
def test_mismatched_values_raise_clear_errors(local):
    x = local.input("garbler", [1, 2], width=16)
    with pytest.raises(ValueError, match="bit widths differ"):
        x + local.input("garbler", [1, 2], width=8)
    with pytest.raises(ValueError, match="formats differ"):
        x + local.input("garbler", [1, 2], width=16, frac=4)
    with pytest.raises(ValueError, match="different engines"):
        x + LocalEngine().constant([1, 2], width=16)
    with pytest.raises(ValueError, match="engine"):
        PlainEngine().reveal(x)
    with pytest.raises(ValueError, match="trailing shape"):
        local.and_(x.wires, np.zeros((16, 2, 2), np.uint64)[..., 0])
    with pytest.raises(ValueError, match="1-bit"):
        where(x, x, x)
    with pytest.raises(ValueError, match="shift"):
        x << 17
    with pytest.raises(OverflowError, match="does not fit"):
        local.input("garbler", [40000], width=16)
    with pytest.raises(OverflowError, match="does not fit"):
        local.input("garbler", [2.0], width=8, frac=6)
    with pytest.raises(ValueError, match="owner"):
        local.input("alice", [1])
    with pytest.raises(ValueError, match="width"):
        local.input("garbler", [1], width=65)
    with pytest.raises(TypeError, match="numbers"):
        local.input("garbler", ["1"])
    with pytest.raises(ValueError, match="shape"):
        local.input("garbler", [1, 2], shape=(3,))
    with pytest.raises(TypeError, match="truth value"):
        if x < 3:
            pass


@pytest.mark.parametrize(("kwargs", "error", "fragment"), [
    ({"values": [2 ** 40], "width": 32}, OverflowError, "value 1099511627776 (flat index 0) does not fit a signed 32"),
    ({"values": [3, -1], "width": 8, "signed": False}, OverflowError,
     "value -1 (flat index 1) does not fit an unsigned"),
    ({"values": [1.0, float("nan")], "frac": 8}, ValueError, "cannot encode nan (flat index 1)"),
    ({"values": [np.inf]}, ValueError, "cannot encode inf"),
    ({"values": "12"}, TypeError, "can only encode real numbers"),
    ({"values": [[1, 2]], "shape": (2,)}, ValueError, "values have shape (1, 2) but shape=(2,)"),
    ({"values": [1], "width": 0}, ValueError, "width must be an integer in 1..64, got 0"),
    ({"values": [1], "width": True}, ValueError, "width must be an integer in 1..64, got True"),
    ({"values": [1], "width": 16, "frac": 16}, ValueError, "frac (fractional bits) must be in 0..width-1"),
    ({"values": [1], "signed": "no"}, ValueError, "signed must be True or False"),
    ({"values": [1], "shape": (-1,)}, ValueError, "shape= must be a tuple of non-negative integers"),
])
def test_bad_garbled_inputs_are_clear_errors(local, kwargs, error, fragment):
    with pytest.raises(error, match=re.escape(fragment)):
        local.input("garbler", **kwargs)


def test_reveal_and_joins_need_values_of_this_engine(local):
    x = local.input("garbler", [1, 2], width=8)
    with pytest.raises(TypeError, match="opens a GarbledInt of this engine, got a list"):
        local.reveal([1, 2])
    with pytest.raises(ValueError, match="lives on another engine"):
        PlainEngine().reveal(x)
    with pytest.raises(TypeError, match="non-empty list of GarbledInt"):
        concatenate([])
    with pytest.raises(TypeError, match="non-empty list of GarbledInt"):
        stack([x, [1, 2]])
    with pytest.raises(ValueError, match="different engines"):
        concatenate([x, PlainEngine().input("garbler", [1], width=8)])


def test_a_non_owner_declares_a_valid_format_and_shape():
    a, b = socket.socketpair()
    with a, b:
        garbler = GarblerEngine(Channel(a))
        with pytest.raises(ValueError, match="shape= must be a tuple"):
            garbler.input("evaluator", shape=("3",))
        with pytest.raises(ValueError, match="width must be"):
            garbler.input("evaluator", shape=(3,), width=65)
        assert garbler.channel.traffic.bytes_received == 0


def test_empty_inputs_are_empty_values(local):
    x, y = local.input("garbler", np.zeros(0), width=8), local.input("evaluator", np.zeros(0), width=8)
    assert x.shape == y.shape == (0,)
    assert local.reveal(x + y).shape == (0,)


def test_a_party_cannot_supply_the_other_partys_input():
    a, b = socket.socketpair()
    with a, b:
        garbler = GarblerEngine(Channel(a))
        with pytest.raises(ValueError, match="cannot supply"):
            garbler.input("evaluator", [1, 2])
        with pytest.raises(ValueError, match="shape="):
            garbler.input("evaluator")


# --- linear algebra -----------------------------------------------------------------------------------
def test_round_robin_covers_every_pair_once():
    for d in range(2, 8):
        seen = [pair for rnd in round_robin(d) for pair in rnd]
        assert sorted(seen) == [(p, q) for p in range(d) for q in range(p + 1, d)]
        assert all(len({i for pair in rnd for i in pair}) == 2 * len(rnd) for rnd in round_robin(d))


def test_jacobi_eigen_decomposition_of_a_3x3_matrix_matches_numpy(local):
    s = np.array([[2.0, -1.0, 0.5], [-1.0, 1.5, 0.25], [0.5, 0.25, -0.75]])
    share = np.round(np.array([[0.3, 1.1, -0.2], [1.1, -0.4, 0.6], [-0.2, 0.6, 0.9]]), 3)
    garbled = eigen(local, alice=share, bob=s - share, d=3, sweeps=5)
    plain = eigen(PlainEngine(), alice=share, bob=s - share, d=3, sweeps=5)
    assert np.array_equal(garbled["eigenvalues"], plain["eigenvalues"])  # garbled == plaintext circuit, bit for bit
    lam, vec = garbled["eigenvalues"], garbled["eigenvectors"]
    assert np.allclose(np.sort(lam), np.linalg.eigvalsh(s), atol=1e-3)
    assert np.allclose(vec.T @ vec, np.eye(3), atol=1e-3)
    assert np.allclose(s @ vec, vec * lam, atol=1e-3)


# --- two processes --------------------------------------------------------------------------------------
def test_two_processes_over_a_socket():
    result = run_two_party(millionaires, {"alice": 7_000_000}, {"bob": 5_500_000})
    assert result.garbler == result.evaluator == 1
    assert result.garbler_stats["bytes_sent"] == result.evaluator_stats["bytes_received"] > 0
    assert result.rounds >= 4  # constant wire, OT (2 flights), decode, answer
    far = run_two_party(distance, {"alice": [1.0, 2.0, 2.0], "dims": 3}, {"bob": [0.0, 0.0, 0.0], "dims": 3})
    assert abs(far.evaluator - 3.0) < 1e-3 and far.garbler == far.evaluator
    with pytest.raises(ValueError, match="module-level"):
        run_two_party(lambda engine: None)
    with pytest.raises(RuntimeError, match="evaluator process failed(.|\n)*TypeError"):
        run_two_party(millionaires, {"alice": 1}, {"bob": "rich"})


@pytest.fixture
def importable_tests(monkeypatch):
    """Put this directory on the evaluator's PYTHONPATH, so it can import this module's programs."""
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))


def test_an_evaluator_that_raises_or_dies_is_a_clear_error(importable_tests):
    with pytest.raises(RuntimeError, match="(?s)evaluator process failed \\(exit status 1\\).*ArithmeticError: "
                                           "the evaluator fails on purpose"):
        run_two_party(evaluator_raises, timeout=30)
    with pytest.raises(RuntimeError, match="evaluator process failed \\(exit status 7\\)"):
        run_two_party(evaluator_dies, timeout=30)


def test_a_stalled_evaluator_times_out_and_is_stopped(importable_tests):
    start = time.perf_counter()
    with pytest.raises(TimeoutError, match="the evaluator sent nothing for 3 s: received 0 of the 1 bytes"):
        run_two_party(evaluator_stalls, timeout=3)
    assert time.perf_counter() - start < 20


def test_an_evaluator_that_cannot_start_fails_before_connecting():
    start = time.perf_counter()  # without importable_tests the evaluator cannot import this module
    with pytest.raises(RuntimeError, match="(?s)failed before it connected \\(exit status 1\\).*ModuleNotFound"):
        run_two_party(evaluator_raises, timeout=60)
    assert time.perf_counter() - start < 30


def test_parties_that_declare_an_input_differently_fail_clearly():
    with pytest.raises(RuntimeError, match=re.escape("the garbler's input is (width=16, frac=0, signed=True, "
                                                     "shape=()) but the evaluator declared (width=32")):
        run_two_party(millionaires, {"alice": 7, "width": 16}, {"bob": 5}, timeout=30)
    with pytest.raises(ValueError, match="positive finite"):
        run_two_party(millionaires, {"alice": 7}, {"bob": 5}, timeout=0)


def test_garbled_int_is_a_numpy_style_array(local):
    x = local.input("garbler", np.arange(6).reshape(2, 3), width=8)
    assert x.shape == (2, 3) and len(x) == 2 and isinstance(x[1], GarbledInt)
    assert local.reveal(x[1, ::2]).tolist() == [3, 5]
    assert local.reveal(x[..., 0]).tolist() == [0, 3]
    assert local.reveal(x.sum(axis=1)).tolist() == [3, 12]
    assert local.reveal(x + np.array([10, 20, 30])).tolist() == [[10, 21, 32], [13, 24, 35]]
    assert local.reveal(3 - x)[0].tolist() == [3, 2, 1]
    assert local.reveal(x[x.reveal() > 3]).tolist() == [4, 5]
    with pytest.raises(IndexError, match="too many"):
        x[0, 0, 0]


def test_matrix_product_and_transpose_match_numpy(local):
    a = np.array([[1.5, -2.0, 0.25], [0.5, 1.0, -1.0]])
    b = np.array([[2.0, 1.0], [-0.5, 0.75], [1.0, -3.0]])
    x, y = local.input("garbler", a, width=24, frac=8), local.input("evaluator", b, width=24, frac=8)
    assert np.allclose(local.reveal(x @ y), a @ b, atol=2 ** -7)
    assert np.allclose(local.reveal(x @ y[:, 0]), a @ b[:, 0], atol=2 ** -7)
    assert np.array_equal(local.reveal(x.T), a.T)
    with pytest.raises(ValueError, match="matmul"):
        x @ x


def test_lane_blocking_gives_the_same_result(local, monkeypatch):
    from mlprivacy_lab.crypto.garbled import values
    x = local.input("garbler", np.arange(-4, 4).reshape(2, 4) * 0.75, width=16, frac=4)
    y = local.input("evaluator", np.arange(1, 9).reshape(2, 4) * 0.5, width=16, frac=4)
    whole = [local.reveal(op) for op in (x * y, x / y, y.sqrt())]
    monkeypatch.setattr(values, "LANE_BLOCK", 3)
    blocked = [local.reveal(op) for op in (x * y, x / y, y.sqrt())]
    for w, b in zip(whole, blocked):
        assert np.array_equal(w, b)
