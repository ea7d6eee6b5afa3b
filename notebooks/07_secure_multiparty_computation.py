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
# This chapter builds SMPC from **additive secret sharing** over the ring $\mathbb{Z}_{2^{64}}$
# (`mlprivacy_lab.crypto.secret_sharing`): the lecture's salary average, Beaver multiplication, and
# SecureML-style logistic regression trained on secret-shared hospital data
# (`mlprivacy_lab.protocols.smpc`).
#
# **What is simulated:** all parties and the trusted dealer run in this one process; every share is real
# (drawn from `secrets`) and every message is counted (rounds, bytes), but nothing goes over a network.

# %% slideshow={"slide_type": "skip"}
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

from mlprivacy_lab.config import mode_banner, pick
from mlprivacy_lab.crypto.secret_sharing import SMPCSession, truncation_failure_bound
from mlprivacy_lab.data import standardized_binary_task
from mlprivacy_lab.errors import expect_error
from mlprivacy_lab.protocols.smpc import PlainLinearModel, SecureLinearModel, hospital_split
from mlprivacy_lab.protocols.smpc.costs import LECTURE_SECONDS_PER_EPOCH, epoch_costs

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
# ## SMPC for machine learning: secure logistic regression
# Three hospitals hold disjoint rows of a diagnostic table (the breast cancer data, standing in for patient
# records). Each secret-shares its rows; the parties run SecureML's mini-batch SGD on the shares with the
# piecewise-linear sigmoid $f(u) = \mathrm{clip}(u + \tfrac12, 0, 1)$, whose comparisons run on shares
# (a dealer-aided comparison circuit). Only the trained weights are revealed. The plaintext reference runs the
# same algorithm in float64. (Simplification: features are standardised with statistics of the whole
# training set, as if the hospitals had agreed public normalisation constants.)
#
# Public bounds make training honest about its fixed point: after each step the weights are clipped to a
# public range ($|w| \le 2$, on shares with the same comparison circuit), so every product keeps a bound
# whose truncation fails with probability below $2^{-20}$; the plaintext reference clips too (it never
# binds on this data). The run reports the sum of the failure bounds of every value it truncated (each
# truncation of an array truncates all its elements): a union bound on the chance that any went wrong.

# %% slideshow={"slide_type": "fragment"}
X, y, X_test, y_test = standardized_binary_task("breast_cancer")
settings = dict(kind="logistic", epochs=pick(quick=3, full=10), batch_size=32, learning_rate=0.25)
X_parts, y_parts = hospital_split(X, y, 3)
print("rows per hospital:", [len(p) for p in y_parts])
plain = PlainLinearModel(**settings).fit(X, y)
secure = SecureLinearModel(n_parties=3, **settings).fit(X_parts, y_parts)
acc_plain, acc_secure = (plain.predict(X_test) == y_test).mean(), (secure.predict(X_test) == y_test).mean()
gap = np.abs(secure.coef_ - plain.coef_).max()
print(f"test accuracy: plaintext {acc_plain:.3f}, secret-shared {acc_secure:.3f}; largest weight gap {gap:.1e}")
failure = secure.stats_["truncation_failure"]
print(f"{secure.stats_['truncations']} array truncations; probability that any value failed <= {failure:.1e} "
      f"(sum of SecureML bounds; {secure.epoch_stats_[-1]['truncation_failure']:.1e} per epoch)")
TOLERANCE = 0.02
assert acc_plain > 0.9 and abs(acc_secure - acc_plain) <= TOLERANCE and gap < 0.01 and failure < 1e-2

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(6, 5))
ax.scatter(plain.decision_function(X_test), secure.decision_function(X_test), s=18)
ax.axline((0, 0), slope=1, color="gray", linestyle="--")
ax.set_xlabel("plaintext model score")
ax.set_ylabel("secret-shared model score")
ax.set_title("same algorithm, same answers")
plt.show()
epoch = secure.epoch_stats_[-1]
print(f"one epoch: {epoch['rounds']} rounds, {epoch['bytes_sent'] / 1e6:.2f} MB between parties, "
      f"{epoch['triples']} Beaver triples, {epoch['binary_triples']} binary triple words, "
      f"{epoch['dealer_bytes'] / 1e6:.2f} MB from the dealer")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Computation cost is a BIG issue
# The lecture: a 3-layer fully connected network takes **9 ms** per epoch in plaintext, **4 min** with
# SecureML and **15 min** with CrypTen. We time one epoch of the same logistic regression in plaintext and on
# shares (`protocols.smpc.costs.epoch_costs`, as the `smpc` bench does: breast cancer in quick mode, MNIST
# 0-vs-1 in full mode).

# %% slideshow={"slide_type": "fragment"}
bench = epoch_costs(pick(quick="breast_cancer", full="mnist01"), epochs=pick(quick=2, full=5))
ours = {"ours plain": bench["plain_seconds_per_epoch"],
        "ours 2-party": bench["secure"]["2_parties"]["seconds_per_epoch"],
        "ours 3-party": bench["secure"]["3_parties"]["seconds_per_epoch"]}
lecture = {f"lecture {k}": v for k, v in LECTURE_SECONDS_PER_EPOCH.items()}
fig, ax = plt.subplots(figsize=(11, 4.5))
ax.barh(list(ours) + list(lecture), list(ours.values()) + list(lecture.values()),
        color=["tab:blue"] * 3 + ["tab:orange"] * 3)
ax.set_xscale("log")
ax.set_xlabel("seconds per epoch (log scale)")
ax.set_title(f"{bench['task']}: {bench['n_train']} rows x {bench['n_features']} features")
plt.show()
for n in ("2_parties", "3_parties"):
    r = bench["secure"][n]
    print(f"{n}: {r['rounds_per_epoch']} rounds, {r['bytes_per_epoch'] / 1e6:.1f} MB per epoch, truncation "
          f"failure <= {r['truncation_failure_per_epoch']:.1e} per epoch; estimated with a network: "
          + ", ".join(f"{k}: {v:.2f} s" for k, v in r["estimated_network_seconds_per_epoch"].items()))
print(f"slowdown of secret sharing: ours {bench['slowdown_2_parties']:.0f}x, "
      f"lecture SecureML {bench['lecture_slowdown']['SecureML']:.0f}x, CrypTen {bench['lecture_slowdown']['CrypTen']:.0f}x")
print("What differs:", bench["differs"])
assert ours["ours 2-party"] > 10 * ours["ours plain"], "secret-shared training is far slower than plaintext"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Take-aways
# * Additive secret sharing makes sums free and private: each share alone is uniformly random.
# * Products need a round of communication and pre-dealt Beaver triples; fixed-point products need
#   truncation (SecureML's local trick errs with tiny, stated probability). Public bounds refuse any
#   operation that could wrap the ring or truncate too riskily, and add the risks up.
# * Secure training reaches the plaintext model's accuracy — at a cost of hundreds of times the time,
#   megabytes of traffic and hundreds of rounds per epoch, before any network latency.
