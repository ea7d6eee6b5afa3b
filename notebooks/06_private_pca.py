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
# # Chapter 06 — Privacy-preserving PCA: Paillier + garbled circuits
#
# *Lecture: "Homomorphic encryption example: privacy-preserving principle component analysis"* (Al-Rubaie,
# Wu, Chang, Kung, IEEE DSC 2017).
#
# **Learning objectives.** After this chapter you can
# - state centralized PCA as $S = U \Lambda U^T$ and compute $S = R - \frac{1}{N} v v^T$ from the owners' shares alone;
# - follow the architecture: who sends what to whom, how many bytes, and what each party sees;
# - run the principal-axis step as a real garbled circuit between two processes;
# - read the lecture's cost table by its scaling: ciphertexts grow like $d^2$, AND gates like $d^3$ per sweep.

# %% slideshow={"slide_type": "skip"}
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA

from mlprivacy_lab import plots  # noqa: F401  (big fonts)
from mlprivacy_lab.config import mode_banner, pick
from mlprivacy_lab.crypto.garbled.linalg import cordic_gain, cordic_vectoring, round_robin
from mlprivacy_lab.errors import expect_error
from mlprivacy_lab.protocols.private_pca import (CryptoServiceProvider, DataOwner, DataUser, PrivatePCA,
                                                 ShareFormat, pca_share, share_length)
from mlprivacy_lab.protocols.private_pca_costs import DATA_NOTE, LECTURE_ROWS, cost_table, jacobi_and_gates, row_data

print(mode_banner())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Centralized PCA
# With all rows in one place: $\mu = \frac{1}{N}\sum_i x_i$, the scatter matrix
# $S = \sum_i (x_i - \mu)(x_i - \mu)^T = U \Lambda U^T$; the principal axes are the columns of $U$,
# orthonormal and ordered by the variance $\lambda$ they explain. The data: scikit-learn's breast-cancer set
# (first 10 features, in public units of powers of ten), split across 3 data owners — the lecture's
# "Breast Cancer" row.

# %%
label, owners = row_data("Breast Cancer", 10)
X = np.vstack(owners)
N, d = X.shape
centred = X - X.mean(0)
S = centred.T @ centred
lam, U = np.linalg.eigh(S)
lam, U = lam[::-1], U[:, ::-1]  # descending variance
print(label)
print("explained-variance ratios:", np.round(lam / lam.sum(), 4)[:5], "...")
assert np.allclose(U.T @ U, np.eye(d), atol=1e-10)          # orthonormal axes
assert np.all(np.diff(lam) <= 0) and lam[-1] >= -1e-12      # ordered, non-negative variances
assert np.allclose(U @ np.diag(lam) @ U.T, S, atol=1e-10)   # S = U Λ Uᵀ

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Distributed scatter matrix
# Owner $\ell$ sends only
# $DS_\ell = \{R_\ell = \sum_{i \in \ell} x_i x_i^T,\ v_\ell = \sum_{i \in \ell} x_i,\ N_\ell\}$.
# Since $\sum_i (x_i-\mu)(x_i-\mu)^T = \sum_i x_i x_i^T - N \mu\mu^T$:
# $$S = R - \tfrac{1}{N} v v^T,\qquad R = \textstyle\sum_\ell R_\ell,\ v = \sum_\ell v_\ell,\ N = \sum_\ell N_\ell .$$
# A share is the upper triangle of $R_\ell$, then $v_\ell$, then $N_\ell$: $d(d+1)/2 + d + 1$ numbers.

# %%
shares = [pca_share(part) for part in owners]
pooled = np.sum(shares, axis=0)
upper = d * (d + 1) // 2
R = np.zeros((d, d))
R[np.triu_indices(d)] = pooled[:upper]
R = R + np.triu(R, 1).T
v, n_total = pooled[upper:upper + d], pooled[-1]
print(f"{len(owners)} shares of {len(shares[0])} numbers (= share_length({d}) = {share_length(d)}), N = {n_total:.0f}")
print("max |(R - v vᵀ/N) - S| =", np.abs(R - np.outer(v, v) / n_total - S).max())
assert n_total == N and len(shares[0]) == share_length(d)
assert np.allclose(R - np.outer(v, v) / n_total, S, atol=1e-9)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. The architecture, from the protocol's own message log
# 1. The DU encrypts a random mask $\mathrm{Enc}[B]$ **offline**, before any owner sends.
# 2. Each DO sends $\mathrm{Enc}[DS_\ell]$ to the DU (Paillier, the CSP's public key, values packed into slots).
# 3. The DU multiplies, $\mathrm{Enc}[B + \sum_\ell DS_\ell] = \mathrm{Enc}[B] \otimes_\ell \mathrm{Enc}[DS_\ell]$,
#    and sends it to the CSP.
# 4. The CSP decrypts $B + \sum_\ell DS_\ell$ and garbles the principal-axis circuit; the DU evaluates it,
#    its mask $B$ entering by oblivious transfer. Outputs leave XORed with the DU's one-time pad.
#
# Below: a real run — **two operating-system processes** over a localhost socket for the garbled step
# (simulated: the DOs, the DU's Paillier stage and the CSP's decryption run in this process, and the
# "network" is localhost). Key: 2048-bit Paillier, the default.

# %%
csp = CryptoServiceProvider()  # 2048-bit key
private = PrivatePCA(3, two_party=True).fit(owners, csp=csp)
log = private.costs_["messages"]
parties = ["DO 1", "DO 2", "DO 3", "DU", "CSP"]
fig, ax = plt.subplots(figsize=(13, 6))
for k, name in enumerate(parties):
    ax.plot([k, k], [0, len(log) + 1], color="grey", lw=1)
    ax.text(k, len(log) + 1.2, name, ha="center", fontsize=15, weight="bold")
for y, m in enumerate(log[::-1], start=1):
    a, b = parties.index(m["from"]), parties.index(m["to"])
    ax.annotate("", xy=(b, y), xytext=(a, y), arrowprops={"arrowstyle": "->", "lw": 2, "color": "tab:blue"})
    ax.text((a + b) / 2, y + 0.15, f"{m['what']}: {m['bytes']:,} B", ha="center", fontsize=12)
ax.set_axis_off()
ax.set_title("message sequence of one private PCA (time runs downwards)")
plt.show()
for m in log:
    print(f"{m['from']:>4s} -> {m['to']:<3s} {m['what']:<34s} {m['bytes']:>12,d} bytes")
paillier_bytes = [m["bytes"] for m in log if m["what"].startswith("Enc")]
assert len(set(paillier_bytes)) == 1  # every Paillier message has the same size: ciphertexts of 2·2048 bits
assert max(m["bytes"] for m in log) == log[-2]["bytes"]  # the garbled tables dominate the traffic

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. What each party sees — actual bit lengths
# | party | holds | sees |
# |---|---|---|
# | DO $\ell$ | its rows $X_\ell$ | nothing back |
# | DU | mask $B$, output pads | $\mathrm{Enc}[\cdot]$ only, then the principal axes, variances, mean |
# | CSP | Paillier private key | $B + \sum_\ell DS_\ell$: uniform-looking integers; padded outputs |
#
# The mask is $\sigma = 40$ bits wider than any pooled share can be: the CSP's view is within statistical
# distance $2^{-40}$ of the mask alone.

# %%
fmt = ShareFormat()
dos = [DataOwner(part, fmt) for part in owners]
du = DataUser(fmt)
du.prepare_mask(csp.public_key, share_length(d))  # offline
masked = csp.decrypt(du.collect([do.encrypted_share(csp.public_key) for do in dos], csp.public_key))
encoded = np.array(fmt.encode(pooled), dtype=np.int64)
seen_bits = [abs(m).bit_length() for m in csp.decrypted]
share_bits = [abs(int(x)).bit_length() for x in fmt.encode(pooled)]
print(f"pooled share (never seen by anyone): {min(share_bits)}..{max(share_bits)} bits; "
      f"public bound sum_bits = {fmt.sum_bits}")
print(f"what the CSP decrypts:               {min(seen_bits)}..{max(seen_bits)} bits; mask_bits = {fmt.mask_bits}")
print(f"a Paillier ciphertext the DU sees:   {2 * csp.public_key.n.bit_length()} bits")
assert max(share_bits) <= fmt.sum_bits and min(seen_bits) >= fmt.sum_bits + 2
assert fmt.mask_bits - 8 <= max(seen_bits) <= fmt.mask_bits + 1
assert np.all(masked != encoded)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. The principal-axis step, garbled, in two processes
# Inside the circuit (CSP garbles, DU evaluates): unmask modulo $2^{64}$, $\mu = v/N$, $S = R - v\mu^T$,
# $C = S/\mathrm{tr}\,S$, then parallel Jacobi rotations until every off-diagonal $|c_{ij}| < 2^{-16}$
# (the number of sweeps is the only thing both parties learn on the way). The circuit is latency-bound —
# a round has only $d/2$ rotations — so a rotation has no division, square root or product: it is a CORDIC
# (Volder 1959; Cavallaro & Luk 1988) of micro-rotations $J_i = \begin{pmatrix}1 & t_i\\ -t_i & 1\end{pmatrix}$,
# $t_i = \pm 2^{-i}$, whose signs drive $(c_{pp}-c_{qq},\, 2c_{pq})$ to the axis; every entry of the round
# takes the same shift-and-add step at once (a carry-save sum and one log-depth adder, about 8 AND layers),
# and the constant gain $K = \prod_i \sqrt{1+4^{-i}}$ is divided out at the end
# (`mlprivacy_lab/crypto/garbled/linalg.py`).

# %%
plain = PCA(3).fit(X)
cosines = np.abs(np.sum(private.components_ * plain.components_, axis=1))
costs = private.costs_
print("1 - |cos| to scikit-learn's axes:", (1 - cosines).round(9))
print("explained-variance ratio, private:", private.explained_variance_ratio_.round(6), " sklearn:",
      plain.explained_variance_ratio_.round(6))
print(f"{costs['sweeps']} sweeps (at most {costs['max_sweeps']}), {costs['and_gates']:,} AND gates, "
      f"{costs['sequential_layers']:,} sequential AND layers, {costs['du_pca_gc_s']:.1f} s in two processes")
assert np.all(1 - cosines < 1e-4)
assert np.allclose(private.explained_variance_ratio_, plain.explained_variance_ratio_, atol=1e-4)
assert costs["two_party"] and costs["sweeps"] < costs["max_sweeps"]

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### One garbled rotation, replayed in plaintext
# The circuit's first rotation, replayed by `cordic_vectoring` (the plaintext reference of the circuit's
# steps): each step turns $(x, y) = (c_{pp} - c_{qq},\ 2c_{pq})$ by $\pm 2\arctan 2^{-i}$ towards the axis, and
# the signs it picks *are* the rotation, $\theta = \sum_i \arctan t_i$. Inside the circuit nobody sees them.

# %%
C_trace = S / np.trace(S)
p0, q0 = round_robin(d)[0][0]
iterations = private.frac - 2  # jacobi_eigh's default
path, ts = cordic_vectoring(C_trace[p0, p0] - C_trace[q0, q0], 2 * C_trace[p0, q0], iterations)
theta = np.arctan(ts).sum()
J = np.array([[np.cos(theta), np.sin(theta)], [-np.sin(theta), np.cos(theta)]])
block = J.T @ C_trace[np.ix_([p0, q0], [p0, q0])] @ J
fig, axes = plt.subplots(1, 2, figsize=(14, 5.5))
axes[0].plot(*path.T, "o-", ms=5)
for i in range(4):
    axes[0].annotate(f"step {i}", path[i], textcoords="offset points", xytext=(8, 8))
axes[0].axhline(0, color="grey", lw=1)
axes[0].set(title=f"(x, y) of pair ({p0}, {q0}), {iterations} steps", xlabel="x", ylabel="y")
axes[0].set_aspect("equal", adjustable="datalim")  # true angles
axes[1].semilogy(np.arange(len(path)), np.abs(path[:, 1]) + 1e-16, "o-")
axes[1].set(title="|y| after each step", xlabel="step i", ylabel="|y|")
plt.tight_layout()
plt.show()
print(f"signs of t_i: {''.join('+' if t > 0 else '-' for t in ts)};  theta = {theta:.6f} rad")
print(f"off-diagonal entry after the rotation: {block[0, 1]:.1e} (before: {C_trace[p0, q0]:.1e})")
assert abs(block[0, 1]) < 2.0 ** -iterations
assert np.isclose(np.hypot(*path[-1]), cordic_gain(iterations) ** 2 * np.hypot(*path[0]))

# %% slideshow={"slide_type": "subslide"}
Z, Zp = private.transform(X), plain.transform(X)
assert np.allclose(np.abs(Z[:, :2]), np.abs(Zp[:, :2]), atol=1e-3)
fig, axes = plt.subplots(1, 2, figsize=(14, 6))
for ax, Y, title in ((axes[0], Z, "private PCA (two processes)"), (axes[1], Zp, "plain scikit-learn PCA")):
    ax.scatter(Y[:, 0], Y[:, 1], s=20, alpha=0.6)
    ax.set(title=title, xlabel="PC 1", ylabel="PC 2")
plt.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. The cost table, by its scaling
# The lecture's table (2017, i5-6600K, 1024-bit Paillier) beside ours on this machine, log scale. Absolute
# numbers depend on hardware; what the protocol fixes is how they **grow**: a share has $d(d+1)/2 + d + 1$
# values, so ciphertexts (and DO/CSP time) grow like $d^2$; a Jacobi sweep has $d-1$ rounds, each turning
# $\sim 3d^2/2$ entries by the same CORDIC steps, so AND gates grow like $d^3$ per sweep, and sequential AND
# layers only like $d$ (a round has a fixed depth). Quick mode plots the garbled column from
# section 5's run only (full mode runs it up to d = 24); `python -m mlprivacy_lab bench private_pca` measures
# all six rows in two processes in about 4 minutes (its last run: `data/benchmarks/private_pca.json`).

# %%
print(DATA_NOTE)
rows = cost_table(garbled_up_to=pick(quick=0, full=24), key_bits=1024)  # the lecture's key size, on purpose
ds = np.array([r["d"] for r in rows])
columns = [("avg_do_s", "DO encrypt"), ("du_collect_add_s", "DU add (online)"), ("csp_decrypt_s", "CSP decrypt"),
           ("du_pca_gc_s", "DU PCA (garbled)")]
fig, axes = plt.subplots(1, 4, figsize=(18, 5), sharex=True)
for ax, (key, title) in zip(axes, columns):
    ours = [(r["d"], r["ours"][key]) for r in rows if r["ours"][key] is not None] or [(d, costs[key])]
    ax.plot(ds, [r["lecture"][key] for r in rows], "s--", label="lecture (2017)")
    ax.plot(*zip(*ours), "o-", label="ours")
    ax.set(title=title, xlabel="d", yscale="log", xscale="log")
axes[0].set_ylabel("seconds")
axes[0].legend()
plt.tight_layout()
plt.show()
ciphertexts = np.array([r["ours"]["ciphertexts_per_owner"] for r in rows])
slope_ct = np.polyfit(np.log(ds), np.log(ciphertexts), 1)[0]
gates = [jacobi_and_gates(k) for k in (6, 8, 12, 16)]
slope_and = np.polyfit(np.log([g["d"] for g in gates]), np.log([g["and_gates"] for g in gates]), 1)[0]
layers_per_round = {g["sequential_layers"] / (g["d"] - 1) for g in gates}  # d even: d - 1 rounds a sweep
print(f"ciphertexts per owner: {ciphertexts.tolist()} for d = {ds.tolist()}: slope {slope_ct:.2f} on log-log")
print(f"AND gates per sweep: {[g['and_gates'] for g in gates]} for d = 6, 8, 12, 16: slope {slope_and:.2f}")
print(f"AND layers per sweep: {[g['sequential_layers'] for g in gates]}: "
      f"{', '.join(f'{x:.0f}' for x in layers_per_round)} per round")
assert 1.6 < slope_ct < 2.3      # ~ d^2 (packing rounds up to whole ciphertexts)
assert 2.7 < slope_and < 3.3     # ~ d^3
assert len(layers_per_round) == 1  # ~ d: d - 1 rounds of one fixed depth

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Try it: owners and features
# Bytes on the wire for a chosen number of owners and features (2048-bit key): the Paillier messages from the
# packing of this key, the garbled part from the exact AND-gate count per sweep of $d \le 16$ (counted on
# plaintext bits) extrapolated like $d^3$, at 32 bytes per AND gate and 5 sweeps.

# %%
per_ciphertext = 2 * csp.public_key.n.bit_length() // 8
slots = csp.public_key.encrypt_array([0] * 8, fmt.encoding, pack=True).layout.slots  # values per ciphertext
gate_fit = np.polyfit(np.log([g["d"] for g in gates]), np.log([g["and_gates"] for g in gates]), 1)
assert -(-share_length(d) // slots) == private.costs_["ciphertexts_per_owner"]


def show_traffic(owners_count: int = 3, features: int = 10) -> None:
    ciphertexts_each = -(-share_length(features) // slots)
    paillier = (owners_count + 1) * ciphertexts_each * per_ciphertext
    garbled = 32 * 5 * np.exp(np.polyval(gate_fit, np.log(features)))
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.barh(["Paillier (DOs -> DU -> CSP)", "garbled tables (CSP -> DU)"], [paillier, garbled],
            color=["tab:orange", "tab:blue"])
    ax.set(xscale="log", xlabel="bytes", title=f"{owners_count} owners, d = {features}")
    plt.tight_layout()
    plt.show()


widgets.interact(show_traffic,
                 owners_count=widgets.IntSlider(value=3, min=2, max=16, description="owners", continuous_update=False),
                 features=widgets.IntSlider(value=10, min=4, max=50, description="d", continuous_update=False));

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Clear errors
# Owners that disagree on the features are refused before anything is encrypted.

# %%
with expect_error(ValueError, match="same features"):
    PrivatePCA(2).fit([owners[0], owners[1][:, :2]])

# %% [markdown] slideshow={"slide_type": "fragment"}
# A mask narrower than 40 bits of statistical security is refused: the CSP could tell the pooled share apart.

# %%
with expect_error(ValueError, match="sigma >= 40"):
    ShareFormat(sigma=20)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Take-aways
# - PCA needs only $R$, $v$, $N$: owners can send additive shares, so additively homomorphic Paillier fits.
# - The mask $B$ (encrypted offline) hides the pooled share from the CSP statistically; the garbled circuit
#   removes it, so nobody but the DU ever sees the principal axes.
# - Paillier costs grow like $d^2$ (ciphertexts), the garbled Jacobi like $d^3$ gates per sweep — and, at
#   small $d$, like its sequential depth: shift-and-add CORDIC rotations with log-depth adders make it fast.
# - Every number here is measured from a real run: real keys, real garbled tables, two real processes.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
# Replace each `answer = None` and run the cell for feedback (`mlprivacy_lab/exercises/ch06.py`); each
# exercise's numbers are in its `given` dictionary. Solutions follow, collapsed, in cells tagged `solution`.

# %% tags=["exercise"]
from mlprivacy_lab.exercises import chapter

ex = chapter("06")
ex.scatter_from_shares

# %% tags=["exercise"]
answer = None  # S, a 2 x 2 array
ex.scatter_from_shares.check(answer)

# %% tags=["solution"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
given = ex.scatter_from_shares.given["shares"]
R_sum = sum(np.array(s["R"]) for s in given)
v_sum = sum(np.array(s["v"]) for s in given)
n_sum = sum(s["N"] for s in given)
answer = R_sum - np.outer(v_sum, v_sum) / n_sum
ex.scatter_from_shares.check(answer).require()

# %% tags=["exercise"]
ex.explained_variance

# %% tags=["exercise"]
answer = None  # a fraction in [0, 1]
ex.explained_variance.check(answer)

# %% tags=["solution"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
eigenvalues = np.linalg.eigvalsh(R_sum - np.outer(v_sum, v_sum) / n_sum)
answer = float(eigenvalues[-1] / eigenvalues.sum())
ex.explained_variance.check(answer).require()
