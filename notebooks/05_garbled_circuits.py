# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # Chapter 05 — Garbled circuits and oblivious transfer
#
# *Lecture: "Garbled circuit" and "PCA eigen decomposition with garbled circuit".*
#
# Alice and Bob want to compute a function of their inputs — an AND gate, "who is richer?", the principal
# axes of their pooled data — without showing each other the inputs. Yao's answer: Alice turns the circuit
# into locked boxes (**garbles** it), Bob takes the keys for his inputs by **oblivious transfer** and opens
# exactly one box per gate. This chapter builds the real thing — AES-based half-gates garbling, Chou–Orlandi
# base OT and IKNP OT extension — and runs it in one process and as two processes over a socket.
#
# **Learning objectives.** After this chapter you can
# - garble and evaluate Yao's textbook AND gate, and say what Alice and Bob each learn;
# - follow the optimisations from four trial-decrypted rows to two half-gate rows with free XOR;
# - explain oblivious transfer's role and measure a garbled circuit's AND gates, bytes and speed.

# %% slideshow={"slide_type": "skip"}
import secrets
import threading
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlprivacy_lab import plots  # noqa: F401  (big fonts)
from mlprivacy_lab.config import mode_banner, pick
from mlprivacy_lab.crypto.garbled import LocalEngine, run_two_party, textbook, where
from mlprivacy_lab.crypto.garbled.halfgates import EvaluatorCore, GarblerCore
from mlprivacy_lab.crypto.garbled.programs import (and_gate_counts, distance, fixed_point_product_reference,
                                                   fixed_point_products, millionaires, private_pca)
from mlprivacy_lab.crypto.ot import Channel, InProcessOTExtension, ot_receive, ot_send
from mlprivacy_lab.data import load_dataset
from mlprivacy_lab.errors import expect_error

print(mode_banner())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## One AND gate, exactly as the slides tell it
# Alice makes two **keys** per wire — 128-bit random strings from `secrets`, one meaning 0 and one meaning 1 —
# for her input wire a, Bob's input wire b and the output wire. For each of the four cases (a, b) she puts the
# output key for a∧b in a **case locked twice**, with her key for a and Bob's key for b, together with 128
# zero bits: the zeros are how Bob will recognise the one case that opened (Yao's textbook gate, in the
# form Lindell & Pinkas prove secure). Then she **shuffles** the four cases. The lock: fixed-key AES,
# the row's pad H(K_a, t) ⊕ H(K_b, t′) (`crypto/garbled/textbook.py`).

# %%
AND = textbook.GATES["AND"]
gate = textbook.garble_gate(AND)
fig, (ax_cases, ax_sent) = plt.subplots(1, 2, figsize=(15, 5.5))
for ax, title in ((ax_cases, "Alice locks the four cases"), (ax_sent, "...shuffles them and hands them to Bob")):
    ax.set(xlim=(0, 2), ylim=(0, 2), title=title)
    ax.set_axis_off()
for a in (0, 1):
    for b in (0, 1):
        x0, y0 = b, 1 - a
        ax_cases.add_patch(plt.Rectangle((x0 + 0.05, y0 + 0.05), 0.9, 0.9, fc="#fff3c4", ec="k", lw=2))
        ax_cases.text(x0 + 0.5, y0 + 0.5,
                      f"case a={a}, b={b}\nlocked with $K_a^{a}$ = {gate.alice_keys[a].hex()[:8]}…\nand $K_b^{b}$ = "
                      f"{gate.bob_keys[b].hex()[:8]}…\n\ninside: $K_{{out}}^{{{AND[a][b]}}}$ = "
                      f"{gate.output_keys[AND[a][b]].hex()[:8]}…", ha="center", va="center", fontsize=12)
        position = gate.positions[2 * a + b]
        x1, y1 = position % 2, 1 - position // 2
        ax_sent.add_patch(plt.Rectangle((x1 + 0.05, y1 + 0.05), 0.9, 0.9, fc="#d9d9d9", ec="k", lw=2))
        ax_sent.text(x1 + 0.5, y1 + 0.55, f"row {position}: locked twice\n{gate.rows[position].hex()[:16]}\n"
                     f"{gate.rows[position].hex()[16:32]}…", ha="center", va="center", fontsize=12)
        ax_sent.text(x1 + 0.5, y1 + 0.18, f"(case a={a}, b={b}: only Alice knows)", ha="center", fontsize=10,
                     color="gray", style="italic")
plt.tight_layout()
plt.show()
print(f"Bob receives {len(gate.rows)} rows of {len(gate.rows[0])} bytes; which case is which is Alice's secret")
assert len(gate.rows) == 4 and sorted(gate.positions) == [0, 1, 2, 3]

# %% [markdown] slideshow={"slide_type": "subslide"}
# Alice sends the key for her own bit (random-looking: it does not say which bit). Bob picks the key for
# *his* bit by **oblivious transfer** — Alice offers both keys of wire b, Bob gets one, Alice cannot tell which
# (Chou–Orlandi "simplest OT", 3072-bit group). Bob **tries every case**: exactly one opens, and he sends its
# content back; Alice reads a∧b off her output keys. All four input pairs, every one checked:

# %%
for a in (0, 1):
    for b in (0, 1):
        alice_end, bob_end = Channel.pair()
        sender = threading.Thread(target=ot_send, args=(alice_end, [gate.bob_keys]))
        sender.start()
        bob_key = ot_receive(bob_end, [b])[0]
        sender.join()
        opened, found = textbook.open_gate(gate, gate.alice_keys[a], bob_key)
        answer = gate.output_keys.index(found)
        print(f"a={a} b={b}: Bob tried 4 cases, {opened} opened → key {found.hex()[:8]}… → Alice decodes a∧b = {answer}")
        assert opened == 1 and found == gate.output_keys[AND[a][b]] and answer == (a & b)
for name, table in textbook.GATES.items():  # any 2x2 gate works the same way
    g = textbook.garble_gate(table)
    assert all(textbook.open_gate(g, g.alice_keys[a], g.bob_keys[b]) == (1, g.output_keys[table[a][b]])
               for a in (0, 1) for b in (0, 1)), name
print("AND, OR, XOR, NAND: every input pair opens exactly one case, with the right output key")
print("a key Bob made up opens:", textbook.open_gate(gate, secrets.token_bytes(16), gate.bob_keys[0])[0], "cases")
assert textbook.open_gate(gate, secrets.token_bytes(16), gate.bob_keys[0]) == (0, None)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## From four locked cases to the engine's two rows
# - **Point-and-permute** (Beaver–Micali–Rogaway 1990): the last bit of each key is a random *colour*, opposite
#   for the two keys of a wire; Alice sorts the rows by the colours, so Bob's two colours point to the one row
#   to open — no trial decryption, no zero padding, 16-byte rows.
# - **Row reduction** (GRR3, Naor–Pinkas–Sumner 1999): Alice *chooses* the output key of the first row to be
#   that row's pad, so the row is all zeros and is not sent — 3 rows.
# - **Half-gates with free XOR** (Zahur–Rosulek–Evans 2015, what the engine runs): XOR gates cost nothing,
#   an AND gate two rows.
#
# Every step is checked on all input pairs, and its cost counted: rows and pads (hash calls) per gate.

# %%
costs = []
for label, row_reduction in (("point-and-permute", False), ("+ row reduction (GRR3)", True)):
    for name, table in textbook.GATES.items():
        lock = textbook.Lock()
        g = textbook.garble_permuted(table, row_reduction=row_reduction, lock=lock)
        garble_calls = lock.calls
        for a in (0, 1):
            for b in (0, 1):
                assert textbook.open_permuted(g, g.alice_keys[a], g.bob_keys[b], lock=lock) == g.output_keys[table[a][b]]
        if name == "AND":
            costs.append((label, len(g.rows), len(g.rows) * len(g.rows[0]), garble_calls,
                          (lock.calls - garble_calls) / 4, len(g.rows)))
lock = textbook.Lock()
g = textbook.garble_gate(AND, lock=lock)
for a in (0, 1):
    for b in (0, 1):
        textbook.open_gate(g, g.alice_keys[a], g.bob_keys[b], lock=lock)
costs.insert(0, ("textbook (trial decryption)", len(g.rows), len(g.rows) * len(g.rows[0]), 4,
                 (lock.calls - 4) / 4, len(textbook.garble_gate(textbook.GATES["XOR"]).rows)))
engine = LocalEngine()
u = engine.input("garbler", np.arange(1000) % 2, width=1, signed=False)
v = engine.input("evaluator", np.arange(1000) // 2 % 2, width=1, signed=False)
before = engine.stats()["table_bytes"]
xored = u ^ v
xor_bytes = engine.stats()["table_bytes"] - before
anded = u & v
measured = engine.stats()
bytes_per_and = (measured["table_bytes"] - before - xor_bytes) / measured["and_gates"]
assert np.array_equal(engine.reveal(anded), (np.arange(1000) % 2) & (np.arange(1000) // 2 % 2))
assert np.array_equal(engine.reveal(xored), (np.arange(1000) % 2) ^ (np.arange(1000) // 2 % 2))
costs.append(("half-gates + free XOR (engine)", bytes_per_and / 16, bytes_per_and, "4 (ZRE15)", "2 (ZRE15)",
              xor_bytes / 16 / max(measured["xor_gates"], 1)))
print(f"{'AND gate':32s} {'rows':>5s} {'bytes':>6s} {'garbler pads':>13s} {'evaluator pads':>15s} {'XOR rows':>9s}")
for label, rows, size, garble, evaluate, xor_rows in costs:
    print(f"{label:32s} {rows:5g} {size:6g} {garble!s:>13s} {evaluate!s:>15s} {xor_rows:9g}")
print(f"\nthe engine, measured on {measured['and_gates']} AND and {measured['xor_gates']} XOR gates: "
      f"{bytes_per_and:.0f} bytes per AND, {xor_bytes} bytes for all XORs")
assert [c[1] for c in costs[:3]] == [4, 4, 3] and costs[0][4] == 4 and costs[1][4] == costs[2][4] == 1
assert xor_bytes == 0 and bytes_per_and < costs[2][2]

# %% [markdown] slideshow={"slide_type": "fragment"}
# Pads are counted by the textbook module; for half-gates the counts are the paper's (ZRE 2015, Table 1: four
# hashes to garble, two to evaluate), the bytes are the engine's own. What Bob holds is unchanged from the slide: one
# random key per wire, and only the last one is decoded.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The engine's AND gate: half-gates
# The same story, as the engine runs it. Alice makes two **keys** per wire and **locks** the output key with
# the input keys; the three optimisations make it cheap:
# - *free-XOR*: every wire's 1-key is its 0-key ⊕ R for one secret R, so XOR gates need no boxes at all;
# - *point-and-permute*: the last bit of a key (its colour) says which box to open — that is the shuffle;
# - *half-gates*: an AND gate needs only **two** locked rows, 32 bytes (the lecture's four cases, compressed).
#
# The lock is fixed-key AES: H(K, j) = AES(σ(K) ⊕ j) ⊕ σ(K) ⊕ j.

# %%
alice = GarblerCore()
key_a, key_b = alice.zero_labels(1), alice.zero_labels(1)  # the 0-keys; the 1-keys are these ⊕ R
key_out = np.empty_like(key_a)
table = np.empty((2, 1, 2), dtype=np.uint64)
alice.garble_and(key_a, key_b, key_out, table)
hexkey = "{0[1]:016x}{0[0]:016x}".format
for name, k0 in (("a", key_a[0]), ("b", key_b[0]), ("a∧b", key_out[0])):
    k1 = k0 ^ alice.delta
    print(f"wire {name:4s} key for 0: {hexkey(k0)} (colour {k0[0] & 1})   "
          f"key for 1: {hexkey(k1)} (colour {k1[0] & 1})")
print("\nthe garbled table Bob receives (the locked cases):")
for row, name in zip(table[:, 0], ("T_G", "T_E")):
    print(f"  {name}: {hexkey(row)}")
rows = [bytes(row) for row in table[:, 0]]
assert len(set(rows)) == 2 and not {bytes(k) for k in (key_a[0], key_b[0], key_out[0])} & set(rows), \
    "the two ciphertexts are fresh values, neither a key in the clear"

# %% [markdown] slideshow={"slide_type": "subslide"}
# Bob picks the key for *his* input by **oblivious transfer**: Alice offers both keys of wire b, Bob gets the
# one for his bit, and Alice cannot tell which (Chou–Orlandi "simplest OT" in a 3072-bit prime-order group).
# Alice simply sends the key for her own bit. Bob opens one row per half-gate and gets *one* output key; its
# colour, with the colour of Alice's 0-key, tells both of them a∧b — and nothing else. All four cases:

# %%
for a in (0, 1):
    for b in (0, 1):
        alice_end, bob_end = Channel.pair()
        offer = [(key_b[0].tobytes(), (key_b[0] ^ alice.delta).tobytes())]
        sender = threading.Thread(target=ot_send, args=(alice_end, offer))
        sender.start()
        bob_key_b = np.frombuffer(ot_receive(bob_end, [b])[0], dtype=np.uint64).reshape(1, 2)
        sender.join()
        bob_key_a = key_a ^ (a * alice.delta)  # Alice's key for her bit: random-looking, reveals nothing
        bob = EvaluatorCore()
        bob_out = np.empty_like(bob_key_a)
        bob.evaluate_and(bob_key_a, bob_key_b, bob_out, table)
        answer = int((bob_out[0, 0] ^ key_out[0, 0]) & 1)  # Bob's colour ⊕ Alice's decoding bit
        is_one_key = np.array_equal(bob_out, key_out ^ (answer * alice.delta))
        ot_bytes = alice_end.traffic.bytes_sent + bob_end.traffic.bytes_sent
        print(f"a={a} b={b}: Bob's key {hexkey(bob_out[0])} → a∧b = {answer};"
              f" it is Alice's key for {answer}: {is_one_key};  OT bytes {ot_bytes}")
        assert answer == (a & b) and is_one_key

# %% [markdown] slideshow={"slide_type": "subslide"}
# A key Bob did not get from Alice opens nothing: the one-process engine checks that every key the evaluator
# holds is one of the wire's two keys. Forge one, and decoding fails.

# %%
engine = LocalEngine()
x = engine.input("garbler", [1, 0, 1], width=1, signed=False)
y = engine.input("evaluator", [1, 1, 0], width=1, signed=False)
z = x & y
print("honest run:", engine.reveal(z))
z.wires[..., 1, :] = engine.garbler.zero_labels(3).reshape(1, 3, 2)  # Bob swaps in keys he made up
with expect_error(ValueError, match="match neither key"):
    engine.reveal(z)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Oblivious transfer at scale: 128 base OTs, then AES only
# Public-key OT costs modular exponentiations. IKNP OT extension runs 128 of them once and turns them into
# any number of OTs that cost AES and XOR — that is how Bob receives the keys of thousands of input bits.

# %%
start = time.perf_counter()
ot = InProcessOTExtension()  # crypto/ot/local.py: the sender runs in a second thread of this process
base_seconds = time.perf_counter() - start
m = pick(quick=50_000, full=1_000_000)
x0, x1 = alice.zero_labels(m), alice.zero_labels(m)
choices = alice.prg.random_bytes(m) & 1
start = time.perf_counter()
received = ot.transfer(x0, x1, choices)
ext_seconds = time.perf_counter() - start
assert np.array_equal(received, np.where(choices[:, None] == 1, x1, x0)), "receiver gets exactly its choices"
print(f"128 base OTs (3072-bit group): {base_seconds:.2f} s")
print(f"{m:,} extended OTs: {ext_seconds:.2f} s = {m / ext_seconds:,.0f} OTs/s, "
      f"{ot.bytes_sent / (m + 128):.0f} bytes per OT")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Yao's millionaires' problem
# Who is richer, without saying how rich? A 32-bit comparison: 32 AND gates. First in one process
# (`LocalEngine`: both parties' code runs, the tables are handed over in memory and counted), then as two
# real processes over a TCP socket on this machine (`run_two_party`: the evaluator is a separate Python
# process that never sees Alice's input).

# %%
alice_wealth, bob_wealth = 7_300_000, 5_900_000
engine = LocalEngine()
richer = millionaires(engine, alice_wealth, bob_wealth)
print(f"one process: Alice richer? {bool(richer)}; {engine.stats()['and_gates']} AND gates, "
      f"{engine.stats()['bytes_total']:,} bytes incl. OT")
run = run_two_party(millionaires, {"alice": alice_wealth}, {"bob": bob_wealth})
print(f"two processes: garbler learns {run.garbler}, evaluator learns {run.evaluator}; "
      f"{run.garbler_stats['bytes_sent']:,} bytes garbler→evaluator, "
      f"{run.evaluator_stats['bytes_sent']:,} back, {run.rounds} flights")
assert richer == run.garbler == run.evaluator == int(alice_wealth > bob_wealth)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Try it
# Move the sliders: the garbled circuit answers, and only the answer is revealed.

# %%
slider_engine = LocalEngine()


def show_millionaires(alice: int = alice_wealth, bob: int = bob_wealth) -> None:
    answer = millionaires(slider_engine, alice, bob)
    print(f"Alice ({alice:,}) richer than Bob ({bob:,})? {'yes' if answer else 'no'} "
          f"— garbled: {slider_engine.and_gates} AND gates so far in this session")


widgets.interact(show_millionaires,
                 alice=widgets.IntSlider(value=alice_wealth, min=0, max=10_000_000, step=100_000, continuous_update=False),
                 bob=widgets.IntSlider(value=bob_wealth, min=0, max=10_000_000, step=100_000, continuous_update=False));

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The circuit library: what each operation costs
# Numbers are `GarbledInt` arrays with numpy-style operators; every operation is an AND/XOR circuit run on
# all lanes at once. XOR is free, so the cost is the **AND-gate count** (32-bit, fixed-point with 16
# fractional bits), counted exactly by running the same circuits on plaintext bits:

# %%
counts = and_gate_counts()
fig, ax = plt.subplots(figsize=(11, 4.5))
ax.bar(list(counts), list(counts.values()), color="tab:blue")
ax.set_yscale("log")
ax.set_ylabel("AND gates (32-bit)")
ax.tick_params(axis="x", rotation=45)
for i, v in enumerate(counts.values()):
    ax.text(i, v * 1.1, str(v), ha="center", fontsize=11)
fig.tight_layout()
plt.show()
assert counts["add"] == 31 and counts["fixed_mul"] == 2 * 32 ** 2 - 1

# %% [markdown] slideshow={"slide_type": "subslide"}
# Edge cases follow numpy's int32 arithmetic (wrap-around), division truncates toward zero, x / 0 = 0, and
# the fixed-point product is ⌊a·b / 2¹⁶⌋ — checked here against numpy on the extremes:

# %%
engine = LocalEngine()
a = np.array([2 ** 31 - 1, -2 ** 31, 46341, -7, 0], dtype=np.int32)
b = np.array([1, -1, 46341, 2, 0], dtype=np.int32)
x, y = engine.input("garbler", a), engine.input("evaluator", b)
with np.errstate(over="ignore"):
    print("a + b:", engine.reveal(x + y), "  numpy:", a + b)
    print("a * b:", engine.reveal(x * y), "  numpy:", a * b)
    assert np.array_equal(engine.reveal(x + y), a + b) and np.array_equal(engine.reveal(x * y), a * b)
quotient = engine.reveal(x / y)
print("a / b:", quotient, " (truncated; x / 0 = 0)")
assert np.array_equal(quotient[:4], [2 ** 31 - 1, -2 ** 31, 1, -3]) and quotient[4] == 0
print("max(a, b):", engine.reveal(where(x > y, x, y)))
assert np.array_equal(engine.reveal(where(x > y, x, y)), np.maximum(a, b))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A fixed-point computation between two parties
# Alice and Bob each hold a point; they learn the distance between them and nothing else (subtract,
# multiply, add, square root — all on secret fixed-point numbers). Two real processes again.

# %%
rng_public = np.random.default_rng(5)  # data for the demo only; the protocol's randomness is from secrets
dims = pick(quick=4, full=16)
alice_point, bob_point = rng_public.uniform(-3, 3, dims).round(3), rng_public.uniform(-3, 3, dims).round(3)
run = run_two_party(distance, {"alice": alice_point, "dims": dims}, {"bob": bob_point, "dims": dims})
exact = float(np.linalg.norm(alice_point - bob_point))
print(f"garbled distance {run.evaluator:.5f}, numpy {exact:.5f}; "
      f"{run.garbler_stats['and_gates']:,} AND gates, {run.garbler_stats['bytes_sent']:,} bytes sent, "
      f"{run.rounds} flights, {run.evaluator_seconds:.2f} s")
assert abs(run.evaluator - exact) < 1e-3 and run.garbler == run.evaluator

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The lecture's PCA step: eigen decomposition inside the garbled circuit
# Two data owners split the wine data (a shape-matched stand-in for the lecture's UCI sets; 3 standardized
# features in quick mode, 5 in full mode). Each computes its share R_ℓ/N = Σ x xᵀ/N and v_ℓ/N = Σ x/N in the clear; the circuit adds the
# shares, forms the covariance and diagonalises it with Jacobi rotations — only the principal axes come out.
# (Chapter 6 builds the full protocol, with Paillier aggregation, on this.)

# %%
wine = load_dataset("wine")
d = pick(quick=3, full=5)
features = wine.X_train[:, [0, 6, 9, 11, 12][:d]]
z = (features - features.mean(0)) / features.std(0)
n_total = len(z)
owners = np.array_split(z, 2)
shares = [{"R": part.T @ part / n_total, "v": part.sum(0) / n_total} for part in owners]
sweeps = pick(quick=4, full=6)
engine = LocalEngine()
start = time.perf_counter()
pca = private_pca(engine, shares[0], shares[1], d=d, sweeps=sweeps)
seconds = time.perf_counter() - start
truth, axes = np.linalg.eigh(np.cov(z.T, bias=True))
order = np.argsort(pca["eigenvalues"])
print("garbled eigenvalues:", np.round(pca["eigenvalues"][order], 4))
print("numpy eigenvalues:  ", np.round(truth, 4))
alignment = np.abs(np.sum(pca["eigenvectors"][:, order] * axes, axis=0))
print(f"|cos| between garbled and numpy axes: {np.round(alignment, 4)}")
print(f"{engine.stats()['and_gates']:,} AND gates, {engine.stats()['bytes_total'] / 2 ** 20:.1f} MiB, {seconds:.1f} s")
assert np.allclose(pca["eigenvalues"][order], truth, atol=1e-3) and np.all(alignment > 0.999)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How fast? Garbling a batch of fixed-point products
# One operation garbles every lane at once: numpy moves whole layers of labels, one AES call hashes them.
# Here a small batch in this process; `python -m mlprivacy_lab bench gc --json` measures the full batch,
# one process and two processes over a socket (see the benchmark for numbers on this machine).

# %%
lanes = pick(quick=512, full=8192)
xs, ys = rng_public.uniform(-100, 100, lanes).round(4), rng_public.uniform(-100, 100, lanes).round(4)
engine = LocalEngine()
batch = fixed_point_products(engine, xs, ys, lanes=lanes)
assert np.array_equal(batch["products"], fixed_point_product_reference(xs, ys, frac=16))
print(f"{lanes} products = {batch['and_gates']:,} AND gates in {batch['seconds']:.2f} s: "
      f"{batch['and_gates'] / batch['seconds'] / 1e6:.1f} M AND gates/s (garble + evaluate, one process, "
      f"machine shared), {engine.stats()['table_bytes'] / engine.stats()['and_gates']:.0f} bytes per AND")
assert engine.stats()["table_bytes"] == 32 * engine.stats()["and_gates"]

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Take-aways
# - A garbled circuit lets two parties compute any function while each input stays with its owner; the
#   evaluator holds one random key per wire and learns only what is decoded at the end.
# - Oblivious transfer hands Bob the keys for his inputs; OT extension makes that cost AES, not exponentiations.
# - Cost = AND gates × 32 bytes (half-gates); XOR is free. Multiplication is quadratic in the bit width,
#   division too, which is why the lecture's garbled eigen decomposition takes tens of seconds to minutes
#   (chapter 6's shift-and-add CORDIC rotations avoid both).
#
# *Simulated vs real:* `LocalEngine` runs both parties in one process and hands the tables over in memory
# (bytes counted, not sent); `run_two_party` is two real processes over a TCP socket. The cryptography is
# real (fixed-key AES-128 hashing, 3072-bit Chou–Orlandi base OT, IKNP extension, randomness from
# `secrets`), secure against *semi-honest* parties only. The wine split stands in for the lecture's data sets.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
# Replace each `answer = None` and run the cell for feedback (`mlprivacy_lab/exercises/ch05.py`). Solutions
# follow, collapsed, in cells tagged `solution`.

# %% tags=["exercise"]
from mlprivacy_lab.exercises import chapter

ex = chapter("05")
ex.free_xor

# %% tags=["exercise"]
answer = None  # an integer label (0x... is fine)
ex.free_xor.check(answer)

# %% tags=["solution"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
delta, a0, b0 = (ex.free_xor.given[key] for key in ("delta", "a0", "b0"))
answer = (a0 ^ delta) ^ (b0 ^ delta)  # = a0 ^ b0, the output's 0-label
ex.free_xor.check(answer).require()

# %% tags=["exercise"]
ex.garbled_table_bytes

# %% tags=["exercise"]
answer = None  # bytes
ex.garbled_table_bytes.check(answer)

# %% tags=["solution"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
answer = 1000 * 2 * 16  # two 16-byte ciphertexts per AND, XOR free
ex.garbled_table_bytes.check(answer).require()
