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
# # Chapter 07 — Secure multi-party computation
#
# *Lecture: "Secure multi-party computation (SMPC)" and "SMPC for machine learning".*
#
# **Goal:** several parties jointly compute a function of their inputs while each keeps its input private —
# for example hospitals training one diagnostic model on all their patients without showing their records.
#
# **Learning objectives.**
# - Split a secret into additive shares and explain why one share reveals nothing.
# - Run the lecture's salary average with real parties (MPyC, one OS process each) and read what each learns.
# - Multiply shared values with a Beaver triple and say why fixed-point products need truncation.
# - Train the lecture's 3-layer network on secret shares and explain where its cost comes from.
#
# **What is real and what is simulated:** every share is real (drawn from `secrets`). The MPyC parties are
# real OS processes talking TCP on this machine. The secret-shared network runs its two parties and the
# trusted dealer in one process (every message counted), and then again as **two real processes** exchanging
# their messages over a socket. No real LAN or WAN is involved: network times are a stated model.

# %% slideshow={"slide_type": "skip"}
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

from mlprivacy_lab.config import mode_banner, pick
from mlprivacy_lab.crypto.secret_sharing import SMPCSession, truncation_failure_bound
from mlprivacy_lab.data import mnist5k_split
from mlprivacy_lab.errors import expect_error
from mlprivacy_lab.protocols.smpc import mpyc_parties
from mlprivacy_lab.protocols.smpc import network as nn
from mlprivacy_lab.protocols.smpc.costs import LECTURE_SECONDS_PER_EPOCH, network_epoch_costs

print(mode_banner())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The salary average
# Three people earn **5K, 100K and 22K** a month. How can they compute the average salary while keeping
# their own salary secret?
#
# 1. Everyone splits their salary into three parts.
# 2. Everyone hands one part to each person (keeping one).
# 3. Everyone sums the parts they received; the three sums add up to the total, so the average follows.
#
# The slide splits 12K = 1K + 5K + 6K into positive parts, which still leak a bound. We split in
# $\mathbb{Z}_{2^{64}}$: two parts are uniformly random 64-bit numbers, the third makes the sum come out
# right (mod $2^{64}$). Below, parts are printed as signed 64-bit integers.

# %% slideshow={"slide_type": "subslide"}
names, salaries = ["Alice", "Bob", "Carol"], [5_000, 100_000, 22_000]
session = SMPCSession(n_parties=3)
# Step 1: each person splits their own salary into three random parts
shared = [session.share(s, owner=i, integer=True) for i, s in enumerate(salaries)]
for name, salary, sh in zip(names, salaries, shared):
    parts = sh.shares.view(np.int64)
    print(f"{name:6s} {salary:>7,} = " + " + ".join(f"{p:>21,}" for p in parts) + "  (mod 2^64)")
    assert int(sh.shares.sum(dtype=np.uint64).view(np.int64)) == salary

# %% slideshow={"slide_type": "fragment"}
# Step 2: person j receives part j of everyone; Step 3: each sums what they received
total = shared[0] + shared[1] + shared[2]
for j, name in enumerate(names):
    received = [sh.shares[j].view(np.int64) for sh in shared]
    print(f"{name:6s} receives {[f'{int(r):,}' for r in received]} and announces the sum "
          f"{int(total.shares[j].view(np.int64)):,}")
average = session.reconstruct(total) / len(salaries)
print(f"total = {session.reconstruct(total):,}; average = {average / 1000:.2f}K")
assert session.reconstruct(total) == sum(salaries) and round(average / 1000, 2) == 42.33

# %% [markdown] slideshow={"slide_type": "slide"}
# ## No single share reveals a salary
# What Bob receives from Alice is one part of her salary. Over many runs that part is **uniform** on
# $\mathbb{Z}_{2^{64}}$ — whether Alice earns 5K or 100K. Below: Bob's view (scaled to [0, 1)) over many
# independent sharings of each salary, with a Kolmogorov–Smirnov test against the uniform distribution and
# a two-sample test between the two salaries.

# %% slideshow={"slide_type": "fragment"}
runs = pick(quick=20_000, full=200_000)
views = {s: SMPCSession(3).share(np.full(runs, s), integer=True).shares[1].astype(np.float64) / 2.0 ** 64
         for s in (5_000, 100_000)}
fig, ax = plt.subplots(figsize=(10, 4))
for s, v in views.items():
    ax.hist(v, bins=40, histtype="step", linewidth=2, density=True, label=f"Alice earns {s:,}")
ax.set_xlabel("Bob's part of Alice's salary / 2^64")
ax.set_ylabel("density")
ax.set_title(f"Bob's view over {runs:,} runs")
ax.legend(loc="lower center")
plt.show()
p_uniform = {s: stats.kstest(v, "uniform").pvalue for s, v in views.items()}
p_same = stats.ks_2samp(views[5_000], views[100_000]).pvalue
print("KS vs uniform: " + ", ".join(f"{s:,}: p = {p:.3f}" for s, p in p_uniform.items())
      + f"; 5K vs 100K views: p = {p_same:.3f}")
assert min(p_uniform.values()) > 1e-4 and p_same > 1e-4, "a single share should look uniform"

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### More people
# The same protocol works for any number of parties; with $n$ parties any $n-1$ of them together still
# learn nothing beyond the total. Move the slider.

# %% slideshow={"slide_type": "fragment"}
ALL_SALARIES = [5_000, 100_000, 22_000, 61_000, 34_000, 78_000, 12_000, 47_000]


def show_salaries(n_parties=3):
    s = SMPCSession(n_parties)
    people = ALL_SALARIES[:n_parties]
    shares = [s.share(v, owner=i, integer=True) for i, v in enumerate(people)]
    total = sum(shares[1:], start=shares[0])
    print("announced sums (each looks random):", [f"{int(x):,}" for x in total.shares.view(np.int64)])
    result = s.reconstruct(total)
    print(f"{n_parties} salaries {people}: average {result / n_parties:,.2f} "
          f"(check: {np.mean(people):,.2f}); bytes sent {s.stats.bytes_sent:,}")
    assert result == sum(people)


widgets.interact(show_salaries, n_parties=widgets.IntSlider(value=3, min=2, max=8, description="parties"));

# %% [markdown] slideshow={"slide_type": "subslide"}
# Shares only add up to a secret when they all come from **one** sharing. Mixing Bob's share of one
# salary with Alice's and Carol's shares of another is refused with a clear error:

# %%
mixed = shared[0].party_shares()[:2] + shared[1].party_shares()[2:]
with expect_error(ValueError, match="different sharings"):
    session.from_shares(mixed)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The salary average with real parties: MPyC
# Above, one Python process played all three people. Now each person is a **separate OS process** running
# [MPyC](https://github.com/lschoe/mpyc), a multiparty-computation engine (Shamir secret sharing over a prime
# field, BGW-style protocols). The processes are started with MPyC's own options `-M 3 -I i` (three parties,
# this one is party i) and talk TCP on localhost (`mlprivacy_lab.protocols.smpc.mpyc_parties`). Each prints
# only what it learns: its own salary and the average.

# %% slideshow={"slide_type": "fragment"}
parties = mpyc_parties.start_parties(salaries)
print("started:", " | ".join(" ".join(p.args[2:10]) for p in parties))
mpyc_avg, reports = mpyc_parties.collect_average(parties, timeout_s=60)
for name, r in zip(names, reports):
    print(f"{name:6s} (MPyC party {r['party']} of {r['parties']}) knows its salary {r['my_input']:,.0f} "
          f"and learns the average {r['average']:,.2f}")
assert abs(mpyc_avg - np.mean(salaries)) < 1e-3
assert all(r["my_input"] == s for r, s in zip(reports, salaries))

# %% [markdown] slideshow={"slide_type": "subslide"}
# If a party dies, the others would wait for it forever; the launcher notices and says which party failed,
# instead of hanging. (With two parties MPyC's default threshold is 0: no privacy — privacy needs three.)

# %% slideshow={"slide_type": "fragment"}
parties = mpyc_parties.start_parties(salaries)
parties[2].kill()  # Carol's process crashes
with expect_error(RuntimeError, match="party 2 failed"):
    mpyc_parties.collect_average(parties, timeout_s=30)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Multiplication: Beaver triples
# Sums are local; a product is not. A **trusted dealer** (a third party, simulated here) hands out shares of
# a random triple $(a, b, c = ab)$. The parties open $d = x - a$ and $e = y - b$ — uniformly random, so they
# reveal nothing — and compute $xy = c + d\,b + e\,a + d\,e$ locally (Beaver, CRYPTO 1991).
# Reals are fixed point with scale $2^{-13}$; a product has scale $2^{-26}$ and is cut back by SecureML's
# **local truncation** (Mohassel & Zhang 2017, §3.1), which fails only with probability
# $2^{\ell_x+1-64}$ for $|x| < 2^{\ell_x}$.

# %% slideshow={"slide_type": "fragment"}
s2 = SMPCSession(n_parties=2)
x, y = s2.share(np.array([3.25, -1.5, 0.1])), s2.share(np.array([-1.5, 2.0, 0.2]), owner=1)
product = s2.reconstruct(x * y)
print("x*y by Beaver:", product, " plaintext:", np.array([3.25, -1.5, 0.1]) * np.array([-1.5, 2.0, 0.2]))
assert np.allclose(product, [-4.875, -3.0, 0.02], atol=2.0 ** -11)
A, B = np.arange(6.0).reshape(2, 3) / 4, np.linspace(-1, 1, 6).reshape(3, 2)
matrix = s2.reconstruct(s2.share(A) @ s2.share(B, owner=1))
print("matrix product error:", np.abs(matrix - A @ B).max())
assert np.allclose(matrix, A @ B, atol=2.0 ** -10)
print("traffic so far:", s2.stats)
print(f"truncation failure bound for |value| < 2^40 at scale 2^-26: {truncation_failure_bound(40):.1e}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### No silent wrap-around
# The ring wraps modulo $2^{64}$: a product of two values that each fit can fall off the end and come back as
# garbage, and truncating a product near $2^{60}$ fails one time in eight. So every shared array carries a
# **public bound** on its magnitude — declared by its owner, or by default the bit length of its largest
# value (nothing else is revealed) — and every operation derives its result's bound from its inputs' bounds
# (sum: add; product: multiply; matrix product: times the inner dimension; truncation: divide). An operation
# whose result could leave the ring, or whose truncation could fail with probability above the session's
# threshold (default $2^{-20}$), is refused before anything is computed. Two values just below $2^{17}$ are
# accepted, their product is not:

# %% slideshow={"slide_type": "fragment"}
near = s2.share(np.array([2.0 ** 17 - 1]))
print(f"accepted: {near}, public bound 2^{near.bound.bit_length()} - 1 at scale 2^-{near.frac_bits}")
with expect_error(OverflowError, match="max_truncation_failure"):
    near * near
print(f"{s2.stats.truncations} truncations so far in this session; their failure bounds sum to "
      f"{s2.stats.truncation_failure:.1e} (SecureML Theorem 1, a union bound)")
assert s2.stats.truncation_failure < 1e-6

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The lecture's network on secret shares
# The lecture's cost slide compares one epoch of a **3-layer fully connected network**. We train exactly that
# shape, 784-128-128-10, by mini-batch SGD on secret-shared MNIST digits (SecureML, Mohassel & Zhang 2017,
# §4.3; `mlprivacy_lab.protocols.smpc.network`):
#
# * every matrix product is a **Beaver matrix triple** from the dealer, computed exactly in
#   $\mathbb{Z}_{2^{64}}$ by splitting ring elements into 22-bit limbs whose products are exact in float64 BLAS
#   (`mlprivacy_lab.crypto.ring`) — numpy has no fast uint64 matrix product;
# * ReLU and its derivative come from the **secure comparison** (the sign bit, never revealed);
# * SecureML's **square loss** replaces softmax; every product is **truncated** once (SecureML's local trick).
#
# Public clips keep every value's public bound fixed, so each truncation's failure probability is tiny and
# summed: the ReLU is capped at 4, the residual clipped to $[-1, 1]$, the weights to $[-0.25, 0.25]$. The
# plaintext reference (float64) runs the same algorithm with the same clips, initial weights and batches.

# %% slideshow={"slide_type": "fragment"}
data = mnist5k_split()
config = nn.NetworkConfig()
X, Y = nn.quantize_pixels(data.X_train), nn.one_hot(data.y_train)
w0 = nn.initial_weights(config)
full_batches = nn.batch_indices(len(X), 60_000, config)  # one MNIST-sized epoch: 4,000 digits repeated
reference = nn.plain_epoch(w0, X, Y, full_batches, config)
acc_reference = (nn.predict(reference, data.X_test, config) == data.y_test).mean()
print(f"plaintext reference, one 60,000-sample epoch: test accuracy {acc_reference:.3f}")
assert acc_reference >= 0.90, "the approximations still give a network that learns"

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The same epoch on shares (shortened in quick mode)
# On shares one step takes about a second here, so this chapter trains a **smaller epoch**
# (quick mode: 512 samples = 4 steps; full mode: 1,024) — once in one process, then as two real processes
# over a socket with the dealer's triples dealt offline (`protocols.smpc.costs.network_epoch_costs`, as the
# `smpc` bench does). Both models continue from the reference's trained weights on the same batches, so the
# accuracies compared are those of a network that has learned.

# %% slideshow={"slide_type": "fragment"}
bench = network_epoch_costs(pick(quick=512, full=1024), warm_start=True)
two = bench["two_process"]
print(f"epoch of {bench['n_train']} samples ({bench['steps_per_epoch']} steps): plaintext "
      f"{bench['plain_s_per_epoch'] * 1e3:.1f} ms, secure compute {bench['secure_s_per_epoch']:.2f} s "
      f"(x{bench['compute_ratio']:.0f}), dealer {bench['dealer_s_per_epoch']:.2f} s, two processes "
      f"{two['wall_s_per_epoch']:.2f} s")
print(f"test accuracy after it: plaintext {bench['plain_accuracy']:.3f}, secure {bench['secure_accuracy']:.3f}; "
      f"largest weight gap {bench['max_weight_gap_secure_vs_plain']:.1e}; two-process vs one-process weights "
      f"{two['max_weight_gap_to_one_process']:.1e}")
print(f"bytes per party: counted {bench['bytes_per_party_per_epoch'] / 1e6:.1f} MB, actually sent "
      f"{two['bytes_sent_per_party_measured'][0] / 1e6:.1f} MB (the comparison's 1-bit openings travel as "
      f"64-bit words); {bench['rounds_per_epoch']} rounds")
print(f"SecureML truncation failure bound for this epoch (a union bound over every truncated value): "
      f"{bench['truncation_failure_per_epoch']:.1e}")
assert abs(bench["secure_accuracy"] - bench["plain_accuracy"]) <= 0.01
assert bench["max_weight_gap_secure_vs_plain"] < 0.02 and two["max_weight_gap_to_one_process"] < 0.02
assert bench["truncation_failure_per_epoch"] * 60_000 / bench["n_train"] < 1e-2

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Computation cost is a BIG issue
# The lecture: one epoch takes **9 ms** in plaintext, **4 min** with SecureML and **15 min** with CrypTen.
# Our times are for the short epoch above, **scaled linearly to a 60,000-sample epoch** (every step costs
# the same); LAN (1 Gbit/s, 0.2 ms RTT) and WAN (100 Mbit/s, 40 ms RTT) are a model: compute + rounds x RTT +
# bytes / bandwidth. The `smpc` bench in full mode measures the whole 60,000-sample epoch.

# %% slideshow={"slide_type": "fragment"}
scale = 60_000 / bench["n_train"]
ours = {"ours plain": bench["plain_s_per_epoch"], "ours secure compute": bench["secure_s_per_epoch"],
        "ours dealer (offline)": bench["dealer_s_per_epoch"], "ours 2 processes": two["wall_s_per_epoch"],
        "ours LAN estimate": bench["lan_s_per_epoch"], "ours WAN estimate": bench["wan_s_per_epoch"]}
ours = {k: v * scale for k, v in ours.items()}
lecture = {f"lecture {k}": v for k, v in LECTURE_SECONDS_PER_EPOCH.items()}
fig, ax = plt.subplots(figsize=(11, 5))
ax.barh(list(ours) + list(lecture), list(ours.values()) + list(lecture.values()),
        color=["tab:blue"] * len(ours) + ["tab:orange"] * len(lecture))
for i, v in enumerate(list(ours.values()) + list(lecture.values())):
    ax.text(v, i, f" {v:.3g} s", va="center", fontsize=11)
ax.set_xscale("log")
ax.set_xlabel("seconds per 60,000-sample epoch (log scale)")
ax.set_title(f"{bench['network']} network, one epoch")
plt.tight_layout()
plt.show()
print("What differs:", bench["differs"])
assert ours["ours secure compute"] > 10 * ours["ours plain"], "secret-shared training is far slower than plaintext"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Take-aways
# * Additive secret sharing makes sums free and private: each share alone is uniformly random. MPyC runs the
#   same idea with real, separate parties.
# * Products need a round of communication and pre-dealt Beaver triples; fixed-point products need
#   truncation (SecureML's local trick errs with tiny, stated probability). Public bounds refuse any
#   operation that could wrap the ring or truncate too riskily, and add the risks up.
# * The lecture's network trains on shares to the plaintext reference's accuracy — at about a hundred times
#   the compute, hundreds of megabytes per party and hundreds of rounds per step, before any network
#   latency; a WAN makes the rounds, not the arithmetic, the bottleneck.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
# Replace each `answer = None` and run the cell for feedback (`mlprivacy_lab/exercises/ch07.py`). The
# solutions follow in collapsed cells tagged `solution`.

# %% tags=["exercise"]
import secrets

from mlprivacy_lab.exercises import chapter

ex = chapter("07")
ex.salary_shares

# %% tags=["exercise"]
answer = None  # three shares
ex.salary_shares.check(answer)

# %% tags=["solution"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
s1, s2 = secrets.randbelow(2**64), secrets.randbelow(2**64)
answer = [s1, s2, (100_000 - s1 - s2) % 2**64]
ex.salary_shares.check(answer).require()

# %% tags=["exercise"]
ex.beaver_share

# %% tags=["exercise"]
answer = None  # party 0's share z_0
ex.beaver_share.check(answer)

# %% tags=["solution"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
g = ex.beaver_share.given
answer = (g["c0"] + g["e"] * g["b0"] + g["f"] * g["a0"] + g["e"] * g["f"]) % 2**64
ex.beaver_share.check(answer).require()
