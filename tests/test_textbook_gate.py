"""Yao's textbook gate: every input pair opens exactly one row with the right key; point-and-permute and row
reduction open the pointed row; bad tables and keys are refused with clear errors."""

import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlprivacy_lab.crypto.garbled import textbook as tb

PAIRS = [(a, b) for a in (0, 1) for b in (0, 1)]


@pytest.mark.parametrize("name", ["AND", "OR", "XOR", "NAND"])
def test_every_input_pair_opens_exactly_one_row_with_the_right_key(name):
    table = tb.GATES[name]
    gate = tb.garble_gate(table)
    assert len(gate.rows) == 4 and all(len(row) == tb.TEXTBOOK_ROW_BYTES for row in gate.rows)
    assert len(set(gate.alice_keys + gate.bob_keys + gate.output_keys)) == 6  # fresh independent keys
    for a, b in PAIRS:
        opened, key = tb.open_gate(gate, gate.alice_keys[a], gate.bob_keys[b])
        assert opened == 1 and key == gate.output_keys[table[a][b]], (name, a, b)


def test_rows_are_shuffled():
    # the position of case (0, 0) is uniform over 4 places: over 200 gates every place occurs
    places = set()
    for _ in range(200):
        gate = tb.garble_gate(tb.GATES["AND"])
        assert sorted(gate.positions) == [0, 1, 2, 3]
        lock = tb.Lock()
        for position, row in enumerate(gate.rows):
            pad = lock.pad(gate.alice_keys[0], gate.bob_keys[0], 0, position, 2)
            if bytes(x ^ y for x, y in zip(row, pad))[16:] == bytes(16):
                places.add(position)
                assert position == gate.positions[0]  # case (0, 0) is where Alice says she put it
    assert places == {0, 1, 2, 3}


def test_a_key_bob_did_not_get_opens_nothing():
    gate = tb.garble_gate(tb.GATES["AND"])
    assert tb.open_gate(gate, secrets.token_bytes(16), gate.bob_keys[1]) == (0, None)
    assert tb.open_gate(gate, gate.alice_keys[0], gate.alice_keys[1]) == (0, None)  # Alice's key on Bob's wire


def test_trial_decryption_counts_one_pad_per_row():
    lock = tb.Lock()
    gate = tb.garble_gate(tb.GATES["OR"], lock=lock)
    assert lock.calls == 4
    tb.open_gate(gate, gate.alice_keys[1], gate.bob_keys[0], lock=lock)
    assert lock.calls == 8  # Bob tries every row


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 1), min_size=2, max_size=2), min_size=2, max_size=2),
       st.booleans(), st.integers(0, tb.MAX_GATE_ID))
def test_point_and_permute_opens_the_pointed_row(table, row_reduction, gate_id):
    lock = tb.Lock()
    gate = tb.garble_permuted(table, row_reduction=row_reduction, gate_id=gate_id, lock=lock)
    assert len(gate.rows) == (3 if row_reduction else 4) and lock.calls == 4
    assert {tb.colour(k) for k in gate.alice_keys} == {tb.colour(k) for k in gate.output_keys} == {0, 1}
    for a, b in PAIRS:
        assert tb.open_permuted(gate, gate.alice_keys[a], gate.bob_keys[b], lock=lock) == \
            gate.output_keys[table[a][b]]
    assert lock.calls == 8  # one pad per evaluation: no trial decryption


def test_textbook_gate_with_a_gate_id_uses_its_own_pads():
    gate = tb.garble_gate(tb.GATES["XOR"], gate_id=7)
    assert tb.open_gate(gate, gate.alice_keys[1], gate.bob_keys[1])[1] == gate.output_keys[0]
    moved = tb.TextbookGate(gate.rows, gate.alice_keys, gate.bob_keys, gate.output_keys, gate.table,
                            gate.positions, gate_id=8)
    assert tb.open_gate(moved, gate.alice_keys[1], gate.bob_keys[1]) == (0, None)


@pytest.mark.parametrize("table, match", [
    ([[0, 0], [0]], "must be 2x2"),
    ([[0, 0, 1], [0, 1]], "must be 2x2"),
    ([[0, 0]], "must be 2x2"),
    ("and", "must be 2x2"),
    (None, "must be 2x2"),
    ([[0, 2], [0, 1]], "bits 0 or 1"),
    ([[0, 0.5], [0, 1]], "bits 0 or 1"),
    ([[0, "1"], [0, 1]], "bits 0 or 1"),
    ([[0, [1]], [0, 1]], "bits 0 or 1"),
])
def test_bad_tables_are_refused(table, match):
    with pytest.raises(ValueError, match=match):
        tb.garble_gate(table)
    with pytest.raises(ValueError, match=match):
        tb.garble_permuted(table)


def test_bad_keys_and_gate_ids_are_refused():
    gate = tb.garble_gate(tb.GATES["AND"])
    with pytest.raises(ValueError, match="alice_key must be a 16-byte key"):
        tb.open_gate(gate, b"short", gate.bob_keys[0])
    with pytest.raises(ValueError, match="bob_key must be a 16-byte key"):
        tb.open_gate(gate, gate.alice_keys[0], "not bytes")
    with pytest.raises(ValueError, match="gate_id must be an integer"):
        tb.garble_gate(tb.GATES["AND"], gate_id=-1)
    with pytest.raises(ValueError, match="gate_id must be an integer"):
        tb.garble_permuted(tb.GATES["AND"], gate_id=tb.MAX_GATE_ID + 1)
    truncated = tb.TextbookGate(gate.rows[:3], gate.alice_keys, gate.bob_keys, gate.output_keys, gate.table,
                                gate.positions)
    with pytest.raises(ValueError, match="4 rows of 32 bytes"):
        tb.open_gate(truncated, gate.alice_keys[0], gate.bob_keys[0])
    reduced = tb.garble_permuted(tb.GATES["AND"], row_reduction=True)
    full = tb.PermutedGate(reduced.rows, reduced.alice_keys, reduced.bob_keys, reduced.output_keys, reduced.table,
                           row_reduction=False)
    with pytest.raises(ValueError, match="should have 4 rows"):
        tb.open_permuted(full, reduced.alice_keys[0], reduced.bob_keys[0])
