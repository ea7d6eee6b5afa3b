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
# # Chapter 3 — Differential privacy: DP-SGD, an RDP accountant, and the remedy for membership inference
#
# *Lecture: "Membership inference attack — Remedy: differential privacy" and "(ε, δ)-differential privacy".*
#
# > The presence or absence of an entry in the training data has little effect on the trained parameters
# > → difficult to perform a membership inference attack.
#
# A training algorithm $M$ is **(ε, δ)-differentially private** if for all data sets $X, X'$ that differ in one
# record and every set $S$ of parameters
#
# $$P[\theta_1 = M(X) \in S] \le e^{\varepsilon}\, P[\theta_2 = M(X') \in S] + \delta .$$
#
# Small ε → θ₁ and θ₂ have similar probability distributions → it is difficult to infer **X** from θ.
# This chapter makes the slide live, builds DP-SGD and its privacy accountant from scratch
# (`mlprivacy_lab.privacy`), and measures how DP defeats chapter 2's membership-inference attacks.
#
# **Learning objectives.** After this chapter you can
# - state (ε, δ)-DP and calibrate Laplace and Gaussian noise to a query's sensitivity;
# - explain how DP-SGD clips and noises per-sample gradients, and how an RDP accountant adds up its steps;
# - read a membership attack's ROC against the region that ε permits, and the accuracy DP costs.

# %% slideshow={"slide_type": "skip"}
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch

from mlprivacy_lab.attacks import membership
from mlprivacy_lab.config import mode_banner, pick, setup_torch
from mlprivacy_lab.data import mnist5k_split
from mlprivacy_lab.errors import expect_error
from mlprivacy_lab.models import accuracy, as_tensors, mlp, train_classifier
from mlprivacy_lab.privacy import (CompositionAccountant, GaussianMechanism, LaplaceMechanism, RDPAccountant,
                                   clipped_gradient_sum, gaussian_delta, gaussian_sigma, get_noise_multiplier,
                                   train_dpsgd)
from mlprivacy_lab.privacy.audit import coin_flip_membership, dp_max_auc, empirical_epsilon
from mlprivacy_lab.privacy.dpsgd import dpsgd_train_fn
from mlprivacy_lab.privacy.figures import neighbouring_outputs, roc_in_dp_region

print(mode_banner())
device = setup_torch(seed=0)
print("torch device:", device)
data = mnist5k_split()
print(f"{data.description}: {len(data.y_train)} train / {len(data.y_test)} test")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## θ₁ and θ₂ on neighbouring data sets
# The smallest "training algorithm" there is: θ = f(X), the average pixel intensity of a data set X of 50 digits.
# Pixels lie in [0, 1], so replacing one record moves θ by at most the **sensitivity** Δ = 1/50.
# X′ is X with its first digit replaced by a completely inked image — the neighbour that moves θ the most.
#
# To release θ privately we add noise calibrated to Δ: Laplace noise of scale Δ/ε gives ε-DP; Gaussian noise
# gives (ε, δ)-DP with σ from the *analytic* calibration of Balle & Wang (ICML 2018).

# %%
X_small = data.X_train[:50]
X_neighbour = X_small.copy()
X_neighbour[0] = 1.0
theta, theta_neighbour = float(X_small.mean()), float(X_neighbour.mean())
sensitivity = 1 / len(X_small)
DELTA_DEMO = 1e-5
print(f"f(X) = {theta:.5f}, f(X') = {theta_neighbour:.5f}: |f(X) - f(X')| = {abs(theta - theta_neighbour):.5f} "
      f"<= sensitivity {sensitivity:.5f}")
assert abs(theta - theta_neighbour) <= sensitivity

mechanisms = {"Laplace": LaplaceMechanism(1.0, sensitivity),
              "Gaussian (analytic)": GaussianMechanism(1.0, DELTA_DEMO, sensitivity)}
neighbouring_outputs(mechanisms, theta, theta_neighbour)
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# **The privacy loss** L(θ) = ln p(θ | X) / p(θ | X′) says how much one released θ tells X from X′.
# Laplace: |L| ≤ ε for *every* output (pure ε-DP). Gaussian: L is unbounded, but an output with L > ε is rare
# and δ pays for it exactly: δ(X, X′) = E_{θ ~ M(X)} [(1 − e^{ε − L(θ)})₊] (Balle & Wang 2018, Thm. 5), at most δ
# for the worst neighbours. Checked by sampling releases of each mechanism:

# %%
rng = np.random.default_rng(0)
n_releases = pick(quick=400_000, full=2_000_000)
laplace, gauss = mechanisms["Laplace"], mechanisms["Gaussian (analytic)"]
loss_laplace = laplace.privacy_loss(laplace(np.full(n_releases, theta), rng), theta, theta_neighbour)
loss_gauss = gauss.privacy_loss(gauss(np.full(n_releases, theta), rng), theta, theta_neighbour)
terms = np.clip(1 - np.exp(gauss.epsilon - loss_gauss), 0, None)
delta_mc, delta_se = terms.mean(), terms.std() / np.sqrt(n_releases)
delta_pair = gaussian_delta(gauss.epsilon, gauss.sigma, abs(theta - theta_neighbour))  # this X, X' pair
print(f"Laplace:  max |L| over {n_releases:,} releases = {np.abs(loss_laplace).max():.4f} <= eps = {laplace.epsilon}")
print(f"Gaussian: sigma = {gauss.sigma:.5f}; P[L > eps] = {np.mean(loss_gauss > gauss.epsilon):.2e}; "
      f"Monte Carlo delta = {delta_mc:.2e} +- {delta_se:.1e}; exact for this pair {delta_pair:.2e} "
      f"<= {DELTA_DEMO:g} (the worst pair)")
assert np.abs(loss_laplace).max() <= laplace.epsilon + 1e-9
assert abs(delta_mc - delta_pair) <= 5 * delta_se and delta_pair <= DELTA_DEMO

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Try it: move ε
# Small ε: the two distributions overlap almost completely, and no single release tells X from X′.

# %%
def show_neighbours(epsilon: float = 1.0) -> None:
    neighbouring_outputs({"Laplace": LaplaceMechanism(epsilon, sensitivity),
                          "Gaussian (analytic)": GaussianMechanism(epsilon, DELTA_DEMO, sensitivity)},
                         theta, theta_neighbour)
    plt.show()


widgets.interact(show_neighbours, epsilon=widgets.FloatLogSlider(value=1.0, base=10, min=-1, max=1, step=0.1,
                                                                   description="ε", continuous_update=False));

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How much Gaussian noise? Classic against analytic calibration
# The textbook σ = Δ √(2 ln(1.25/δ)) / ε (Dwork & Roth 2014, Thm. A.1) is proved for ε < 1 only and is loose.
# The analytic calibration solves Balle & Wang's exact condition
# δ = Φ(Δ/2σ − εσ/Δ) − e^ε Φ(−Δ/2σ − εσ/Δ) for the smallest σ, for any ε.

# %%
print(f"{'epsilon':>8} {'classic sigma':>14} {'analytic sigma':>15}   (delta = 1e-5, sensitivity 1)")
for eps in (0.1, 0.3, 0.5, 0.9, 2.0, 4.0, 8.0):
    analytic = gaussian_sigma(eps, 1e-5)
    classic = gaussian_sigma(eps, 1e-5, calibration="classic") if eps < 1 else float("nan")
    print(f"{eps:8.1f} {classic:14.3f} {analytic:15.3f}")
    assert eps >= 1 or analytic < classic
    assert abs(gaussian_delta(eps, analytic) - 1e-5) < 1e-12

# %% [markdown] slideshow={"slide_type": "fragment"}
# Asking the classic formula for ε ≥ 1 is an error, not a silent loose answer:

# %%
with expect_error(ValueError, match="classic Gaussian calibration"):
    gaussian_sigma(2.0, 1e-5, calibration="classic")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## DP-SGD (Abadi et al., CCS 2016, Algorithm 1)
# A neural network's θ is the output of many noisy steps. Each step of DP-SGD:
# 1. **Poisson sampling** — every record joins the batch with probability q;
# 2. **per-sample gradients** g_i and **clipping** to norm C: ḡ_i = g_i / max(1, ‖g_i‖ / C), so that one record
#    moves the sum by at most C (the sensitivity);
# 3. **Gaussian noise**: (Σ ḡ_i + N(0, σ²C²I)) / qN, then an ordinary optimizer step.
#
# Per-sample gradients come from `torch.func.vmap(grad(...))`. For linear layers there is a shortcut: a
# sample's weight gradient is the outer product δ_i a_iᵀ, so ‖g_i‖² = ‖a_i‖² ‖δ_i‖² — the norms, and the clipped
# sum (c ⊙ Δ)ᵀA, come from one ordinary backward pass with no per-sample gradient ever stored ("ghost" norms).

# %%
torch.manual_seed(0)
model = mlp(data.n_features, data.n_classes, hidden=(256,)).to(device)
Xb, yb = as_tensors(data.X_train[:256], data.y_train[:256], device)
C = 1.0
for method in ("vmap", "ghost"):  # warm-up calls
    clipped_gradient_sum(model, Xb[:2], yb[:2], C, method=method)
start = time.perf_counter()
reference, norms = clipped_gradient_sum(model, Xb, yb, C, method="vmap")  # torch.func: g_i of shape (256, *shape)
vmap_s = time.perf_counter() - start
start = time.perf_counter()
ghost, ghost_norms = clipped_gradient_sum(model, Xb, yb, C, method="ghost")
ghost_s = time.perf_counter() - start
print(f"per-sample gradients materialised: {len(Xb) * sum(p.numel() for p in model.parameters()) / 1e6:.1f} M numbers, "
      f"{1e3 * vmap_s:.0f} ms; ghost norms: {1e3 * ghost_s:.1f} ms")
assert torch.allclose(ghost_norms, norms, rtol=1e-4)
assert all(torch.allclose(ghost[n], reference[n], rtol=1e-3, atol=1e-6) for n in reference)
print(f"{(norms > C).float().mean():.0%} of the 256 per-sample gradients are clipped at C = {C}")

plt.figure(figsize=(8, 4))
plt.hist(norms.cpu().numpy(), bins=40, color="tab:blue")
plt.axvline(C, color="tab:red", lw=3, label=f"clipping norm C = {C}")
plt.xlabel("per-sample gradient norm ‖g_i‖")
plt.ylabel("samples")
plt.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# The benchmark `python -m mlprivacy_lab bench dpsgd` times this DP-SGD step against Opacus's (per-sample hooks
# and ghost clipping) on the same model, batches and data.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Counting the privacy spent: the RDP accountant
# Every step is a sampled Gaussian mechanism; training composes thousands of them. Rényi DP composes by
# addition (Mironov 2017) and the sampled Gaussian's RDP is known exactly (Mironov, Talwar & Zhang 2019);
# converting to (ε, δ) at the end gives far smaller ε than composing per-step (ε, δ) guarantees with the
# advanced composition theorem — the insight of Abadi et al.'s moments accountant. The API is Opacus's.

# %%
q, delta = 256 / len(data.y_train), 1e-5
epochs_axis = np.arange(1, 31)
plt.figure(figsize=(8, 5.5))
for sigma, color in ((0.8, "tab:red"), (1.1, "tab:blue"), (2.0, "tab:green")):
    curves = {"rdp": [], "composition": []}
    for accountant in (RDPAccountant(), CompositionAccountant()):
        for _ in epochs_axis:
            accountant.step(noise_multiplier=sigma, sample_rate=q, steps=int(1 / q))
            curves[accountant.mechanism()].append(accountant.get_epsilon(delta))
    plt.plot(epochs_axis, curves["rdp"], color=color, lw=3, label=f"σ = {sigma}: RDP accountant")
    plt.plot(epochs_axis, curves["composition"], color=color, lw=2, ls="--", label=f"σ = {sigma}: advanced composition")
    assert all(r < c for r, c in zip(curves["rdp"], curves["composition"]))
plt.yscale("log")
plt.xlabel("epochs (q = 256 / 4000)")
plt.ylabel(f"ε at δ = {delta:g}")
plt.legend(fontsize=12, bbox_to_anchor=(1.02, 1), loc="upper left")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Turned around, `get_noise_multiplier` finds the σ that spends a target ε in a given number of steps:

# %%
EPSILONS = pick(quick=[0.5, 1.0, 2.0, 8.0], full=[0.25, 0.5, 1.0, 2.0, 4.0, 8.0])
DP_EPOCHS, BATCH = 15, 256
steps = int(DP_EPOCHS / q)
for target in EPSILONS:
    sigma = get_noise_multiplier(target_epsilon=target, target_delta=delta, sample_rate=q, steps=steps)
    accountant = RDPAccountant()
    accountant.step(noise_multiplier=sigma, sample_rate=q, steps=steps)
    eps, alpha = accountant.get_privacy_spent(delta=delta)
    print(f"target eps {target:5.2f}: sigma = {sigma:6.3f} over {steps} steps -> eps = {eps:.3f} (best RDP order {alpha:g})")
    assert target - 0.01 <= eps <= target

# %% [markdown] slideshow={"slide_type": "fragment"}
# Bad budgets are refused with a message that says what to fix:

# %%
with expect_error(ValueError, match="target_epsilon must be"):
    get_noise_multiplier(target_epsilon=0.0, target_delta=delta, sample_rate=q, steps=steps)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The price: accuracy against ε on MNIST-5k
# One MLP (784-256-10, chapter 0's model) per budget, trained by DP-SGD for 15 epochs on the 4,000 training
# digits (plain SGD, C = 1, expected batch 256), against the non-private model of chapter 0 (Adam).

# %%
results_acc = {}
for target in EPSILONS:
    torch.manual_seed(0)
    run = train_dpsgd(mlp(data.n_features, data.n_classes, (256,)), data.X_train, data.y_train, epochs=DP_EPOCHS,
                      batch_size=BATCH, target_epsilon=target, target_delta=delta, lr=0.5, optimizer="sgd", seed=0)
    results_acc[target] = accuracy(run.model, data.X_test, data.y_test)
    print(f"eps = {run.epsilon(delta):5.2f} (sigma = {run.noise_multiplier:.2f}): test accuracy {results_acc[target]:.3f}")
    assert run.epsilon(delta) <= target
torch.manual_seed(0)
plain = train_classifier(mlp(data.n_features, data.n_classes, (256,)), data.X_train, data.y_train, epochs=15, seed=0)
plain_acc = accuracy(plain, data.X_test, data.y_test)
print(f"non-private: test accuracy {plain_acc:.3f}")

plt.figure(figsize=(8, 5))
plt.semilogx(EPSILONS, [results_acc[e] for e in EPSILONS], "o-", lw=3, ms=10, label="DP-SGD")
plt.axhline(plain_acc, color="k", ls="--", lw=2, label="non-private")
plt.axhline(0.1, color="gray", ls=":", lw=2, label="chance")
plt.xticks(EPSILONS, [f"{e:g}" for e in EPSILONS])
plt.minorticks_off()
plt.xlabel(f"ε (δ = {delta:g})")
plt.ylabel("test accuracy")
plt.ylim(0, 1)
plt.legend()
plt.show()
assert results_acc[max(EPSILONS)] > results_acc[min(EPSILONS)] > 0.3, "more budget, more accuracy; all 3x chance"
assert plain_acc > max(results_acc.values()), "privacy costs accuracy"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The remedy, measured: membership inference against DP models
# Chapter 2's attacks (`mlprivacy_lab.attacks.membership`): the loss-threshold attack (Yeom et al. 2018) and
# LiRA (Carlini et al. 2022), offline and online, plus Shokri et al.'s shadow models in full mode. The attacker
# knows the pool of records and the training algorithm (DP-SGD at the same ε included), trains shadow models on
# halves of the pool, and queries the targets only through a `PredictionAPI`.
#
# Each target trains on each record of the pool by a **fair coin flip** (Yeom et al.'s membership game): for any
# record the training sets with and without it are add/remove neighbours, so (ε, δ)-DP confines every attack's
# ROC to TPR ≤ e^ε · FPR + δ (and 1 − FPR ≤ e^ε (1 − TPR) + δ; Kairouz et al. 2015).

# %%
n_pool = pick(quick=2000, full=4000)
n_targets, n_shadows = pick(quick=2, full=4), pick(quick=4, full=8)
ATTACKS = pick(quick=("threshold", "lira_offline", "lira_online"),
               full=("threshold", "shadow", "lira_offline", "lira_online"))
X_pool, y_pool = data.X_train[:n_pool], data.y_train[:n_pool]
target_keep = coin_flip_membership(n_targets, n_pool, seed=0)
shadow_keep = membership.complementary_halves(n_shadows, n_pool, seed=1)
mi_batch = 128
mi_rate = mi_batch / (n_pool / 2)  # public: fixed by the expected training-set size, not by the actual one
print(f"pool {n_pool} records; {n_targets} targets (coin-flip members) and {n_shadows} shadows per budget")

train_fns = {None: membership.mlp_train_fn(data.n_features, data.n_classes, (256,), epochs=30)}
for target in EPSILONS:
    train_fns[target] = dpsgd_train_fn(data.n_features, data.n_classes, (256,), target_epsilon=target,
                                       target_delta=delta, sample_rate=mi_rate, batch_size=mi_batch, epochs=DP_EPOCHS)
attack_results, mi_accuracy = {}, {}
for target, train_fn in train_fns.items():
    targets = membership.train_models(X_pool, y_pool, train_fn, target_keep, seed=0, progress=False)
    shadows = membership.train_models(X_pool, y_pool, train_fn, shadow_keep, seed=1000, progress=False)
    experiment = membership.MembershipExperiment(X_pool, y_pool, data.n_classes, targets, shadows)
    attack_results[target] = experiment.run(ATTACKS)
    mi_accuracy[target] = np.mean([accuracy(m, data.X_test, data.y_test) for m in targets.models])
    best = membership.best_attack(attack_results[target])[1]
    print(f"{'non-private' if target is None else f'eps = {target:g}':>12}: target accuracy {mi_accuracy[target]:.3f}, "
          f"best attack AUC {best:.3f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Every attack's ROC lies in the region (ε, δ)-DP permits — checked statistically: the ε that an attack's ROC
# *certifies* (Jagielski et al., NeurIPS 2020: Clopper–Pearson bounds at 95 % confidence, over all thresholds)
# never exceeds the ε the accountant promises.

# %%
print(f"{'model':>12} {'attack':>13} {'AUC':>6} {'TPR@1%FPR':>10} {'certified eps >=':>17} {'promised eps':>13} {'max AUC':>8}")
for target, res in attack_results.items():
    for name, r in res.items():
        s = r.summary()
        lower = empirical_epsilon(r.scores, r.is_member, delta)
        promised = "inf" if target is None else f"{target:g}"
        cap = "1" if target is None else f"{dp_max_auc(target, delta):.3f}"
        label = "non-private" if target is None else f"eps = {target:g}"
        print(f"{label:>12} {name:>13} {s['auc']:6.3f} {s['tpr_at_1pct_fpr']:10.3f} {lower:17.2f} {promised:>13} {cap:>8}")
        if target is not None:
            assert lower <= target, f"{name} certifies eps >= {lower:.2f} against an eps = {target} model"

# %% [markdown] slideshow={"slide_type": "subslide"}
# The ROC curves (log-log axes, as chapter 2) against the non-private model and three budgets; red: the part
# of the plane the DP guarantee forbids. At FPR below 1 % a curve rests on a handful of records, so a step
# that pokes above the red line there is sampling noise — which is why the check above uses confidence bounds.

# %%
shown = [None] + [e for e in EPSILONS if e in (0.5, 2.0, 8.0)]
fig, axes = plt.subplots(2, 2, figsize=(13, 12))
for ax, target in zip(axes.flat, shown):
    roc_in_dp_region({n: (r.scores, r.is_member) for n, r in attack_results[target].items()}, target, delta, ax=ax)
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# AUC against ε: the attacks fall toward chance (0.5) as ε shrinks, far below the cap DP allows.

# %%
plt.figure(figsize=(9, 5.5))
for name in ATTACKS:
    plt.semilogx(EPSILONS, [attack_results[e][name].summary()["auc"] for e in EPSILONS], "o-", lw=2.5, ms=9, label=name)
    plt.axhline(attack_results[None][name].summary()["auc"], ls=":", lw=1.5, color=plt.gca().lines[-1].get_color())
grid = np.logspace(np.log10(min(EPSILONS)), np.log10(max(EPSILONS)), 50)
plt.semilogx(grid, [dp_max_auc(e, delta) for e in grid], "r--", lw=2, label="largest AUC (ε, δ)-DP permits")
plt.axhline(0.5, color="gray", lw=1, label="chance")
plt.xticks(EPSILONS, [f"{e:g}" for e in EPSILONS])
plt.minorticks_off()
plt.xlabel(f"ε (δ = {delta:g}); dotted: non-private")
plt.ylabel("attack AUC")
plt.ylim(0.45, 1.0)
plt.legend(fontsize=11, loc="upper left")
plt.show()

best_auc = {t: membership.best_attack(res)[1] for t, res in attack_results.items()}
smallest = min(EPSILONS)
assert best_auc[None] > 0.6, "the attacks work against the non-private model"
assert best_auc[smallest] < best_auc[None] - 0.1, "DP with a small budget takes most of the attacks' power away"
assert abs(best_auc[smallest] - 0.5) < 0.05, f"at eps = {smallest} the best attack is near chance"
assert all(best_auc[e] <= dp_max_auc(e, delta) for e in EPSILONS)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Try it: pick a budget
# The ROC of every attack against the targets trained at that ε, with the forbidden region.

# %%
def show_budget(epsilon: float = EPSILONS[0]) -> None:
    res = attack_results[epsilon]
    ax = roc_in_dp_region({n: (r.scores, r.is_member) for n, r in res.items()}, epsilon, delta)
    ax.set_title(f"ε = {epsilon:g}: target accuracy {mi_accuracy[epsilon]:.2f}")
    plt.show()


widgets.interact(show_budget, epsilon=widgets.SelectionSlider(options=EPSILONS, value=EPSILONS[0], description="ε", continuous_update=False));

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Take-aways
# - (ε, δ)-DP bounds how much *any* observer can tell X from X′: the privacy loss is at most ε, except with
#   probability paid for by δ. The analytic Gaussian calibration buys the same guarantee with less noise.
# - DP-SGD makes training DP by clipping per-sample gradients and adding Gaussian noise; the RDP accountant
#   turns thousands of steps into one (ε, δ), far tighter than composing per-step guarantees.
# - The lecture's remedy works, and is measurable: every membership attack's ROC stays inside the region DP
#   permits, and its AUC falls toward 0.5 as ε shrinks — at a price in accuracy that small data sets feel most.
#
# *Simulated vs real:* the attacker, the service and the data owners live in one Python process, and the
# "population" is MNIST-5k. The mechanisms, DP-SGD, the accounting and the attacks are real. The noise comes from
# numpy's and torch's seeded generators so that the chapter re-runs identically; a deployment would use a
# cryptographically secure source and guard against floating-point side channels (Mironov, CCS 2012).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
# Replace each `answer = None` and run the cell for feedback (`mlprivacy_lab/exercises/ch03.py`). The
# solutions follow in collapsed cells tagged `solution`.

# %% tags=["exercise"]
import math

from mlprivacy_lab.exercises import chapter

ex = chapter("03")
ex.laplace_scale

# %% tags=["exercise"]
answer = None  # the scale b
ex.laplace_scale.check(answer)

# %% tags=["solution"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
answer = 1 / 0.25  # sensitivity 1 over epsilon
ex.laplace_scale.check(answer).require()

# %% tags=["exercise"]
ex.gaussian_sigma_classic

# %% tags=["exercise"]
answer = None  # sigma
ex.gaussian_sigma_classic.check(answer)

# %% tags=["solution"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
answer = math.sqrt(2 * math.log(1.25 / 1e-5)) / 0.25
ex.gaussian_sigma_classic.check(answer).require()

# %% tags=["exercise"]
ex.basic_composition

# %% tags=["exercise"]
answer = None  # the total epsilon
ex.basic_composition.check(answer)

# %% tags=["solution"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
answer = 10 * 0.025
ex.basic_composition.check(answer).require()
