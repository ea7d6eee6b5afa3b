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
# # Chapter 9 — Adversarial examples
#
# *Lecture: "Adversarial example attack" and "Adversarial example attack remedies".*
#
# The adversary perturbs a sample $x$ to $x + \Delta x$, a change too small to matter to a person, so that
# the model θ answers something else. The lecture's three causes: the **curse of dimensionality**, inputs
# **off the data manifold**, and **ReLU networks being piecewise linear**, so that many small, carefully signed
# changes add up. This chapter measures each. The remedies on the slide: enhance robustness against a specific
# attack (adversarial training, "a cat-and-mouse game"), pre-process the input, or detect and remove adversarial
# examples; each is tried here, and each is then met by an attack that knows it.
#
# This chapter attacks the small MNIST convolutional network of Wong & Kolter (2018) with FGSM, the slide's
# targeted attack and PGD in $\ell_\infty$ and $\ell_2$, trains it adversarially, defends it by bit-depth
# reduction and by a detector, and breaks both defences with adaptive attacks (BPDA; a detector-aware PGD).
# Chapter 10 proves robustness instead of testing it.
#
# **Learning objectives.** After this chapter you can
# - craft FGSM and PGD adversarial examples and measure a model's adversarial error;
# - compute by hand how far an ℓ∞ perturbation moves a linear score ($\epsilon\|w\|_1$), and show by experiment
#   why high dimension makes it large and how far adversarial digits leave the data manifold;
# - explain the lecture's causes and remedies of adversarial examples, from linearity to adversarial training;
# - test a pre-processing defence and a detector with adaptive attacks (BPDA, detector-aware PGD), and tell an
#   obfuscated gradient from real robustness.

# %% slideshow={"slide_type": "skip"}
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch
from tqdm.auto import tqdm

from mlprivacy_lab.attacks.adaptive import bpda, detector_aware_pgd
from mlprivacy_lab.attacks.adversarial import (adversarial_error, adversarial_train, fgsm, linear_regions,
                                               loss_gradient, pgd, targeted_attack)
from mlprivacy_lab.attacks.dimension import PCAManifold, dimension_sweep
from mlprivacy_lab.config import is_quick, mode_banner, pick, setup_torch
from mlprivacy_lab.data import make_gaussian_mixture, mnist5k_split
from mlprivacy_lab.models import accuracy, mlp, predict_proba, small_cnn, train_classifier
from mlprivacy_lab.plots import digit_with_confidences
from mlprivacy_lab.robust.checkpoints import shipped_or_retrained
from mlprivacy_lab.robust.defences import BitDepth, MedianSmoothing, Preprocessed, train_detector

print(mode_banner())
device = setup_torch(seed=0)
print("torch device:", device)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The victim: a small convolutional network on MNIST-5k
# Two strided convolutions and two linear layers (Wong & Kolter's small MNIST model), trained normally on
# 4,000 digits. Quick mode loads the shipped checkpoint; full mode retrains it (seconds).

# %%
data = mnist5k_split()
model, how = shipped_or_retrained("normal", data.X_train, data.y_train, retrain=not is_quick(), device=device)
print("normal model:", how)
n_eval = pick(quick=200, full=1000)
X, y = data.X_test[:n_eval], data.y_test[:n_eval]
clean_err = 1 - accuracy(model, X, y)
print(f"clean test error on {n_eval} digits: {clean_err:.1%}")
assert clean_err < 0.05

# %% [markdown] slideshow={"slide_type": "slide"}
# ## FGSM: the panda becomes a gibbon
# The lecture's picture: $x + \epsilon\,\mathrm{sign}(\nabla_x J(\theta, x, y))$ turns a panda with 57.7 %
# confidence into a gibbon with 99.3 %. Here the same one-step attack on a digit (Goodfellow et al., 2015).

# %% slideshow={"slide_type": "subslide"}
eps = 0.15
probs = predict_proba(model, X)
flipped = predict_proba(model, fgsm(model, X, y, eps).cpu().numpy()).argmax(1) != y
confident = (probs.argmax(1) == y) & (probs.max(1) > 0.9)
print(f"FGSM at eps = {eps} flips {flipped[confident].mean():.0%} of the {confident.sum()} confidently right digits;"
      " here is the first of them:")
index = int(np.flatnonzero(confident & flipped)[0])
x0, y0 = X[index:index + 1], y[index:index + 1]
x_adv = fgsm(model, x0, y0, eps).cpu().numpy()
before, after = predict_proba(model, x0)[0], predict_proba(model, x_adv)[0]
sign = loss_gradient(model, x0, y0).sign().cpu().numpy()
fig, axes = plt.subplots(1, 3, figsize=(12, 4))
panels = [(x0, f'"{before.argmax()}"\n{before.max():.1%} confidence'),
          (sign, "sign(∇ₓJ(θ, x, y))"),
          (x_adv, f'x + {eps} sign(∇ₓJ)\n"{after.argmax()}" {after.max():.1%} confidence')]
for ax, (image, title) in zip(axes, panels):
    ax.imshow(data.images(image)[0], cmap="gray_r")
    ax.set_title(title)
    ax.set_axis_off()
plt.show()
digit_with_confidences(data.images(x_adv)[0], after, title="every confidence for x + ε sign(∇ₓJ)", label=int(y0[0]))
plt.show()
print(f"true label {y0[0]}: predicted {before.argmax()} ({before.max():.1%}) -> {after.argmax()} ({after.max():.1%})")
assert before.argmax() == y0[0] and after.argmax() != y0[0], "FGSM changes the class of this digit"

# %% [markdown] slideshow={"slide_type": "subslide"}
# Why does one small step work? Look at the logit margin $m(x) = \hat z_y - \hat z_t$ between the true class and
# the new one. To first order a step $\Delta x$ changes it by $\nabla_x m^T \Delta x$, and over the ε-box the
# largest drop is $\epsilon\|\nabla_x m\|_1$: every one of the 784 pixels moves by at most ε, but all in the
# direction that helps the attacker, and the network is (piecewise) linear, so the changes add up.

# %%
x0_t = torch.tensor(x0, device=device, requires_grad=True)
t0 = int(after.argmax())
logits0 = model(x0_t)[0]
(g_margin,) = torch.autograd.grad(logits0[y0[0]] - logits0[t0], x0_t)
with torch.no_grad():
    logits_adv = model(torch.tensor(x_adv, device=device))[0]
margin_before, margin_after = float(logits0[y0[0]] - logits0[t0]), float(logits_adv[y0[0]] - logits_adv[t0])
step = torch.tensor(x_adv - x0, device=device)
print(f"margin z_{y0[0]} - z_{t0}: {margin_before:.2f} before, {margin_after:.2f} after FGSM")
print(f"first-order change along FGSM's step: {float((g_margin * step).sum()):.2f}; "
      f"largest first-order drop in the box, eps x ||grad||_1 = {eps * float(g_margin.abs().sum()):.2f}, "
      f"from pixel changes of at most {eps}")
assert margin_before > 0 > margin_after

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The targeted attack, exactly as on the slide
# $$\min_{\Delta x}\; e_{y^*}^T\hat z - e_{y^{\mathrm{targ}}}^T\hat z \quad\text{subject to}\quad
# \|\Delta x\|_p \le \epsilon$$
# solved by projected gradient descent on the logits $\hat z$. One digit, every other class as the target:

# %%
targets = [t for t in range(10) if t != y0[0]]
rows = [("inf", 0.2), ("2", 2.5)]
fig, axes = plt.subplots(len(rows), len(targets), figsize=(14, 3.6))
hits = {}
for r, (norm, eps_t) in enumerate(rows):
    x_t = targeted_attack(model, np.repeat(x0, len(targets), 0), np.repeat(y0, len(targets)), np.array(targets),
                          eps_t, norm=norm, steps=pick(quick=40, full=100)).cpu().numpy()
    pred = predict_proba(model, x_t).argmax(1)
    hits[norm] = np.mean(pred == targets)
    for ax, image, t, p in zip(axes[r], x_t, targets, pred):
        ax.imshow(image.reshape(28, 28), cmap="gray_r")
        ax.set_title(f"→{t}: {p}", color="tab:red" if p == t else "black", fontsize=12)
        ax.set_axis_off()
    axes[r][0].text(-8, 14, f"ℓ{'∞' if norm == 'inf' else '₂'}\nε={eps_t}", ha="right", va="center")
plt.suptitle(f"targeted attack on a {y0[0]}: title = target → predicted class")
plt.show()
print({f"l_{k}": f"{v:.0%} of targets reached" for k, v in hits.items()})
assert hits["inf"] >= 0.5 and hits["2"] >= 0.5, "most targets are reachable within the budget"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## PGD in ℓ∞ and ℓ₂ versus FGSM
# Projected gradient descent (Madry et al., 2018) repeats small steps and projects back onto the ball;
# FGSM is a single step. Error = misclassified as given or after the attack, on the test digits.

# %%
eps_inf = [0.0, 0.05, 0.1, 0.15, 0.2]
eps_l2 = [0.0, 0.5, 1.0, 1.5, 2.0]
steps = pick(quick=10, full=40)
curves = {"FGSM (ℓ∞)": [adversarial_error(model, X, y, e, "fgsm") for e in tqdm(eps_inf, desc="FGSM")],
          f"PGD-{steps} (ℓ∞)": [adversarial_error(model, X, y, e, "pgd", steps=steps)
                                for e in tqdm(eps_inf, desc="PGD ℓ∞")]}
pgd_l2 = [adversarial_error(model, X, y, e, "pgd", norm=2, steps=steps) for e in tqdm(eps_l2, desc="PGD ℓ2")]
fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.2))
for name, errs in curves.items():
    a1.plot(eps_inf, errs, "o-", lw=3, label=name)
a1.set(xlabel="ε (ℓ∞)", ylabel="test error", title="ℓ∞ attacks", ylim=(0, 1.02))
a1.legend()
a2.plot(eps_l2, pgd_l2, "s-", lw=3, color="tab:green", label=f"PGD-{steps} (ℓ₂)")
a2.set(xlabel="ε (ℓ₂)", title="ℓ₂ attack", ylim=(0, 1.02))
a2.legend()
plt.tight_layout()
plt.show()
fgsm_errs, pgd_errs = curves.values()
print("eps:", eps_inf, "\nFGSM error:", np.round(fgsm_errs, 3), "\nPGD error: ", np.round(pgd_errs, 3))
assert all(p >= f - 1e-9 for p, f in zip(pgd_errs, fgsm_errs)), "PGD is at least as strong as FGSM"
assert pgd_errs[2] > 0.5, "at eps = 0.1 PGD fools the normally trained model on most digits"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why ReLU networks are fooled: a piecewise linear decision surface
# A small ReLU network on a 2-D, two-class problem. Each colour patch is one *linear region* (one pattern of
# active ReLUs): there the network is exactly affine, so the decision boundary is a polyline. Move ε: the
# square is the ℓ∞ ball around a point; FGSM's corner and PGD's worst point inside it are shown.

# %%
toy = make_gaussian_mixture(n_samples=400, n_features=2, n_classes=2, components_per_class=2, separation=2.5,
                            seed=1)
net2d = train_classifier(mlp(2, 2, hidden=(12, 12)), toy.X_train, toy.y_train, epochs=60, seed=0,
                         progress=False, device=torch.device("cpu"))
span = np.linspace(toy.X_train.min() - 0.5, toy.X_train.max() + 0.5, 300)
grid = np.stack(np.meshgrid(span, span), -1).reshape(-1, 2).astype(np.float32)
regions = linear_regions(net2d, grid)
decision = predict_proba(net2d, grid).argmax(1)
point_index = int(np.argsort(np.abs(predict_proba(net2d, toy.X_test)[:, 1] - 0.5))[5])
point, label = toy.X_test[point_index:point_index + 1], toy.y_test[point_index:point_index + 1]
print(f"{len(np.unique(regions))} linear regions in view; test accuracy {accuracy(net2d, toy.X_test, toy.y_test):.1%}")

# the network is affine on each region: same input gradient everywhere inside one region
biggest = np.bincount(regions).argmax()
inside = grid[regions == biggest][:: max(1, (regions == biggest).sum() // 20)]
jac = np.stack([torch.autograd.functional.jacobian(net2d, torch.tensor(p)).numpy() for p in inside])
assert np.allclose(jac, jac[0], atol=1e-5), "one linear region, one affine map"


def show_attack(eps: float = 0.6) -> None:
    x_f = fgsm(net2d, point, label, eps, data_range=None).numpy()
    x_p = pgd(net2d, point, label, eps, steps=30, data_range=None).numpy()
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.imshow(regions.reshape(300, 300) % 20, extent=(span[0], span[-1], span[0], span[-1]), origin="lower",
              cmap="tab20", alpha=0.35, interpolation="nearest")
    ax.contour(span, span, decision.reshape(300, 300), levels=[0.5], colors="black", linewidths=3)
    ax.scatter(*toy.X_test.T, c=toy.y_test, cmap="coolwarm", s=12, edgecolors="none")
    ax.add_patch(plt.Rectangle(point[0] - eps, 2 * eps, 2 * eps, fill=False, lw=2.5, color="tab:green"))
    for z, name, marker in ((point, "x", "o"), (x_f, "FGSM", "^"), (x_p, "PGD", "*")):
        cls = predict_proba(net2d, z).argmax(1)[0]
        ax.plot(*z[0], marker, ms=16, mec="black", color="tab:red" if cls != label[0] else "white",
                label=f"{name}: class {cls}")
    ax.set(title=f"ℓ∞ ball ε={eps}: red = fooled", xlim=(span[0], span[-1]), ylim=(span[0], span[-1]))
    ax.legend(loc="upper left", fontsize=12)
    plt.show()


widgets.interact(show_attack, eps=widgets.FloatSlider(value=0.6, min=0.05, max=2.0, step=0.05, description="ε", continuous_update=False));

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Cause, measured: the curse of dimensionality
# For a linear score $w^T x + b$ with label $y \in \{-1, +1\}$ the attacker's best ℓ∞ step is
# $\Delta x = -\epsilon\, y\, \mathrm{sign}(w)$: it lowers the margin $y(w^T x + b)$ by exactly
# $$\max_{\|\Delta x\|_\infty \le \epsilon} |w^T \Delta x| = \epsilon \|w\|_1 = \epsilon \sum_{i=1}^d |w_i|,$$
# each of the $d$ pixels adding $\epsilon |w_i|$ (Goodfellow et al. 2015, Sec. 3). At a fixed per-pixel ε the
# total grows with $d$. The experiment: logistic regression on odd-vs-even MNIST-5k digits averaged down to
# $s \times s$ pixels, $d = s^2$, attacked at ε = 0.05 per pixel. The error is exact for a linear model: in the
# ℓ∞ ball (the formula's setting), and with the pixels also clipped to [0, 1].

# %%
EPS_D = 0.05
sides = pick(quick=(4, 7, 14, 28), full=(4, 7, 10, 14, 20, 28))
sweep = dimension_sweep(data.X_train, data.y_train % 2, X, y % 2, image_shape=data.image_shape, sides=sides,
                        epsilon=EPS_D)
print(f"{'d':>5s} {'||w||_1':>8s} {'eps||w||_1':>10s} {'measured':>9s} {'median margin':>13s} {'clean':>6s} "
      f"{'adv (ball)':>10s} {'adv (in [0,1])':>14s}")
for p in sweep:
    print(f"{p.d:5d} {p.l1:8.1f} {p.bound:10.3f} {p.measured:9.3f} {p.median_margin:13.2f} {p.clean_error:6.1%} "
          f"{p.adversarial_error:10.1%} {p.adversarial_error_in_range:14.1%}")
d_axis = [p.d for p in sweep]
fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.2))
a1.plot(d_axis, [p.bound for p in sweep], "o-", lw=3, label="ε‖w‖₁ (attacker's reach)")
a1.plot(d_axis, [p.median_margin for p in sweep], "s--", lw=3, label="median clean margin y(wᵀx+b)")
a1.set(xscale="log", xlabel="input dimension d = s²", ylabel="logit units", title=f"ε = {EPS_D} per pixel")
a1.legend(fontsize=12)
a2.plot(d_axis, [p.adversarial_error for p in sweep], "o-", lw=3, label="adversarial, ℓ∞ ball")
a2.plot(d_axis, [p.adversarial_error_in_range for p in sweep], "^-", lw=3, label="adversarial, pixels in [0, 1]")
a2.plot(d_axis, [p.clean_error for p in sweep], "s:", lw=3, color="gray", label="clean")
a2.set(xscale="log", xlabel="input dimension d = s²", ylabel="test error", ylim=(0, 1.02), title="odd vs even")
a2.legend(fontsize=12)
for ax in (a1, a2):
    ax.set_xticks(d_axis, [str(d) for d in d_axis])
    ax.minorticks_off()
plt.tight_layout()
plt.show()
assert all(abs(p.measured - p.bound) <= 1e-9 * p.bound for p in sweep), "the sign step attains eps ||w||_1"
assert all(a.bound < b.bound for a, b in zip(sweep, sweep[1:])), "eps ||w||_1 grows with d"
assert sweep[-1].adversarial_error > sweep[0].adversarial_error + 0.2, "more pixels, larger adversarial error"
assert sweep[-1].bound / sweep[-1].median_margin > 2 * sweep[0].bound / sweep[0].median_margin, \
    "the attacker's reach outgrows the clean margin"

# %% [markdown] slideshow={"slide_type": "subslide"}
# The full-resolution model fits better (its clean margin grows too), but its $\|w\|_1$ grows much faster: the
# same ε per pixel buys the attacker more and more logit. That is the lecture's curse of dimensionality, and
# FGSM's sign step is exactly this worst case for a linear model (see the exercise `linf_logit_change`).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Cause, measured: off the manifold
# Digits occupy a thin set in $[0, 1]^{784}$. A proxy for it: the span of the top $k$ principal components of
# the training digits, $P_k x = \mu + V_k V_k^T (x - \mu)$, and the residual $\|x - P_k x\|_2$ — how far $x$ lies
# off it. Clean test digits versus their PGD versions at ε = 0.1 (the same images), and, as a control, the same
# digits with random ±ε noise.

# %%
manifold = PCAManifold.fit(data.X_train, 200)
K = 100
X_pgd = pgd(model, X, y, 0.1, steps=steps).cpu().numpy()
X_noise = np.clip(X + 0.1 * np.random.default_rng(0).choice([-1.0, 1.0], size=X.shape), 0, 1).astype(np.float32)
inputs = {"clean": X, "PGD ε=0.1": X_pgd, "random ±0.1": X_noise}
residuals = {name: manifold.residual(Z, K) for name, Z in inputs.items()}
ks = [5, 10, 20, 50, 100, 200]
fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.2))
for name, r in residuals.items():
    a1.hist(r, bins=30, alpha=0.5, label=name)
    a2.plot(ks, [np.median(manifold.residual(inputs[name], k)) for k in ks], "o-", lw=3, label=name)
a1.set(xlabel=f"‖x − P_k x‖₂, k = {K} ({manifold.explained(K):.0%} of the variance)", ylabel="digits")
a1.legend(fontsize=12)
a2.set(xscale="log", xlabel="k (principal components)", ylabel="median residual")
a2.legend(fontsize=12)
plt.tight_layout()
plt.show()
errors = {name: 1 - accuracy(model, Z, y) for name, Z in inputs.items()}
for name, r in residuals.items():
    print(f"{name:12s} median residual {np.median(r):.2f}   model's error {errors[name]:.1%}")
farther = np.mean(residuals["PGD ε=0.1"] > residuals["clean"])
farther_10 = np.mean(manifold.residual(X_pgd, 10) > manifold.residual(X, 10))
print(f"PGD image farther off than its clean digit: {farther:.0%} of pairs at k = {K}, {farther_10:.0%} at k = 10")
assert np.median(residuals["PGD ε=0.1"]) > np.median(residuals["clean"]) and farther > 0.9, \
    "adversarial digits lie farther off the principal subspace than clean ones"
assert farther_10 < 0.5, "with only 10 components even clean digits are far off: the proxy needs a fine manifold"
assert np.median(residuals["random ±0.1"]) > np.median(residuals["PGD ε=0.1"]) and errors["random ±0.1"] < 0.15, \
    "random noise goes as far off the manifold but rarely fools the model"

# %% [markdown] slideshow={"slide_type": "subslide"}
# PGD's digits leave the digit subspace (the model never saw such inputs), but random noise of the same size
# leaves it even farther and fools almost nothing. Off the manifold is where adversarial examples live, not what
# makes them: the *direction* does, the sign of the gradient, which is the linearity cause again.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Remedy: adversarial training
# The slide's defence: $\min_\theta \sum_{i=1}^N L(f_\theta(x_i + \Delta x_i), y_i)$ where $\Delta x_i$ comes from
# *some specific attack* run against the current model. Two choices of attack at ε = 0.1:
# FGSM (trained live here) and PGD-7 (Madry et al.; quick mode loads the shipped checkpoint, full mode retrains).

# %%
EPS = 0.1
fgsm_model = adversarial_train(small_cnn(), data.X_train, data.y_train, EPS, attack="fgsm",
                               epochs=pick(quick=3, full=10), seed=0, device=device)
pgd_model, how = shipped_or_retrained("pgd", data.X_train, data.y_train, retrain=not is_quick(), device=device)
print("PGD-trained model:", how)
table = {}
for name, m in (("normal", model), ("FGSM-trained", fgsm_model), ("PGD-trained", pgd_model)):
    table[name] = (1 - accuracy(m, X, y), adversarial_error(m, X, y, EPS, "fgsm"),
                   adversarial_error(m, X, y, EPS, "pgd", steps=pick(quick=20, full=40)))
print(f"{'model':14s} {'clean':>7s} {'FGSM':>7s} {'PGD':>7s}   (test error at eps = {EPS})")
for name, errs in table.items():
    print(f"{name:14s} " + " ".join(f"{e:7.1%}" for e in errs))
assert table["PGD-trained"][2] < table["normal"][2] - 0.3, "adversarial training against PGD resists PGD"
assert table["FGSM-trained"][1] < table["normal"][1], "FGSM training resists FGSM"

# %% [markdown] slideshow={"slide_type": "subslide"}
# **A cat-and-mouse game.** Each defence is measured by the attack it was trained against. Change the
# attack — a larger ε, or the ℓ₂ norm — and the PGD-trained model falls again. The slide's two other
# remedies, pre-processing and detection, follow; each meets an attacker who adapts.

# %%
threats = [("inf", 0.1), ("inf", 0.2), (2, 2.5)]
print(f"{'PGD error':14s} " + " ".join(f"{'l_' + str(n) + ' eps=' + str(e):>14s}" for n, e in threats))
shifted = {}
for name, m in (("normal", model), ("PGD-trained", pgd_model)):
    shifted[name] = [adversarial_error(m, X, y, e, "pgd", norm=n, steps=pick(quick=20, full=40)) for n, e in threats]
    print(f"{name:14s} " + " ".join(f"{err:14.1%}" for err in shifted[name]))
assert shifted["PGD-trained"][1] > 2 * shifted["PGD-trained"][0], "doubling eps breaks the PGD-trained model"
assert shifted["PGD-trained"][2] > 2 * shifted["PGD-trained"][0], "so does an l_2 attack"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Remedy: pre-processing the adversarial example
# The slide's second defender method. The defended classifier is $f_\theta(t(x))$ with a squeezing $t$
# (Xu, Evans & Qi, NDSS 2018): **bit-depth reduction** $t_k(x) = \mathrm{round}(x(2^k-1))/(2^k-1)$, or a
# **3×3 median filter**. PGD follows $\nabla_x J(\theta, t(x), y) = (\partial t/\partial x)^T \nabla_z J$; for
# rounding $\partial t / \partial x = 0$ almost everywhere, so PGD sees a zero gradient and never moves past its
# random start: the defence "stops" it. Athalye, Carlini & Wagner (ICML 2018) call this an *obfuscated gradient*
# and break it with **BPDA**: forward through $t$, but backward as if $t(x) = x$ (Sec. 4.1).
# Every row below attacks at ε = 0.1, the ε of adversarial training above.

# %%
EPS_P = 0.1
defended = {"none": Preprocessed(model, torch.nn.Identity()),
            **{f"{b}-bit depth": Preprocessed(model, BitDepth(b)) for b in (1, 2, 3, 4)},
            "median 3×3": Preprocessed(model, MedianSmoothing(3, data.image_shape))}
X_t, y_t = torch.tensor(X, device=device), torch.tensor(y, device=device)
squeeze = {}
for name, m in tqdm(defended.items(), desc="defences"):
    assert torch.equal(m(X_t), bpda(m)(X_t)), "BPDA changes only the backward pass"
    squeeze[name] = (1 - accuracy(m, X, y), float(loss_gradient(m, X[:50], y[:50]).abs().max()),
                     adversarial_error(m, X, y, EPS_P, "pgd", steps=steps),
                     adversarial_error(bpda(m), X, y, EPS_P, "pgd", steps=steps))
print(f"{'defence':13s} {'clean':>7s} {'max|∇ₓJ|':>9s} {'PGD':>7s} {'BPDA-PGD':>9s}   (test error, eps = {EPS_P})")
for name, (clean, grad, plain, adaptive) in squeeze.items():
    print(f"{name:13s} {clean:7.1%} {grad:9.2g} {plain:7.1%} {adaptive:9.1%}")
assert all(squeeze[f"{b}-bit depth"][1] == 0 for b in (1, 2, 3, 4)), "rounding has zero gradient"
assert squeeze["3-bit depth"][2] < 0.3 < 0.6 < squeeze["3-bit depth"][3], "3 bits stop PGD, not BPDA"
assert squeeze["1-bit depth"][3] < 0.3 and squeeze["2-bit depth"][3] < 0.3, "fewer bits than eps needs: robust"
assert abs(squeeze["median 3×3"][2] - squeeze["median 3×3"][3]) < 0.15 < squeeze["median 3×3"][2], \
    "the median passes gradients: no masking, no robustness"

# %% [markdown] slideshow={"slide_type": "subslide"}
# Read the table honestly. With **3 or 4 bits** the grey levels are $1/7$ or $1/15$ apart: ε = 0.1 is more than
# half a level, so a perturbation survives the rounding. Plain PGD fails only because its gradient is zero; BPDA
# fools the defended model on most digits. With **1 or 2 bits** the levels are 1 and 1/3 apart: an MNIST pixel
# near 0 or 1 cannot cross a rounding threshold within ε = 0.1, and BPDA fails too. That is real robustness
# for this small ε (the price: it grows back once ε exceeds half a level). The **median filter** has an honest
# gradient: plain PGD already breaks it, and it costs clean accuracy ("may also filter out the important
# feature", says the slide).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Remedy: detection and removal
# The slide's first action item. A detector $D$ scores inputs; those with $D(x) > \tau$ are removed. Here $D$ is
# a logistic regression on the pixels trained on clean training digits vs their PGD versions (as Gong et al.
# 2017; Grosse et al. and Metzen et al. 2017 train similar detectors), with τ set so that at most 5 % of other
# clean training digits are flagged. This section
# attacks at ε = 0.2: more budget, because the adaptive attacker must fool two models at once.

# %%
EPS_DET = 0.2
n_det = pick(quick=1000, full=3000)
X_det, y_det = data.X_train[:n_det], data.y_train[:n_det]
detector = train_detector(X_det, pgd(model, X_det, y_det, EPS_DET, steps=10, seed=1).cpu().numpy(),
                          X_calibration=data.X_train[n_det:n_det + 500], false_positive_rate=0.05)
X_plain = pgd(model, X, y, EPS_DET, steps=steps).cpu().numpy()
fooled_plain = predict_proba(model, X_plain).argmax(1) != y
false_positives, caught = detector.flags(X).mean(), detector.flags(X_plain)[fooled_plain].mean()
print(f"detector: {false_positives:.1%} of clean test digits flagged (tau set for 5%); PGD at eps = {EPS_DET} fools "
      f"the model on {fooled_plain.mean():.0%} and {caught:.0%} of those are caught")
assert false_positives <= 0.1 and caught >= 0.9, "the detector catches plain PGD at a low false-positive rate"

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The attacker adapts: detector-aware PGD
# Carlini & Wagner (AISec 2017, "Adversarial examples are not easily detected") put the detector into the
# attacker's goal. In the slide's notation, with $\hat z = f_\theta(x + \Delta x)$:
# $$\min_{\Delta x}\; \max\!\big(e_{y^*}^T\hat z - \max_{j \ne y^*} e_j^T \hat z,\, -\kappa\big)
# + c\, \max\!\big(D(x + \Delta x) - \tau,\, -\kappa_D\big)
# \quad\text{subject to}\quad \|\Delta x\|_\infty \le \epsilon$$
# solved by PGD; success = wrong class **and** $D \le \tau$ (here $c = 3$, $\kappa = 1$, $\kappa_D = 0.5$).

# %%
X_adapt = {e: detector_aware_pgd(model, detector, X, y, e, steps=pick(quick=20, full=50)).cpu().numpy()
           for e in (0.1, EPS_DET)}
evades = {e: np.mean((predict_proba(model, Z).argmax(1) != y) & ~detector.flags(Z)) for e, Z in X_adapt.items()}
fooled_adapt = predict_proba(model, X_adapt[EPS_DET]).argmax(1) != y
passed_adapt = ~detector.flags(X_adapt[EPS_DET])
print(f"detector-aware PGD at eps = {EPS_DET}: wrong class {fooled_adapt.mean():.0%}, passes the detector "
      f"{passed_adapt.mean():.0%}, both {evades[EPS_DET]:.0%}  (at eps = 0.1: both {evades[0.1]:.0%})")
fig, axes = plt.subplots(1, 4, figsize=(15, 3.8), gridspec_kw={"width_ratios": [2.2, 1, 1, 1]})
for name, Z in (("clean test", X), (f"PGD ε={EPS_DET}", X_plain), ("detector-aware PGD", X_adapt[EPS_DET])):
    axes[0].hist(detector.scores(Z), bins=30, alpha=0.5, label=name)
axes[0].axvline(detector.threshold, color="black", lw=3, label="τ (5% clean flagged)")
axes[0].set(xlabel="detector score D(x)", ylabel="digits")
axes[0].legend(fontsize=12)
show = int(np.flatnonzero(fooled_plain & fooled_adapt & passed_adapt)[0])
for ax, (title, Z) in zip(axes[1:], (("clean", X), ("PGD", X_plain), ("detector-aware", X_adapt[EPS_DET]))):
    pred, flag = predict_proba(model, Z[show:show + 1]).argmax(1)[0], detector.flags(Z[show:show + 1])[0]
    ax.imshow(data.images(Z[show:show + 1])[0], cmap="gray_r")
    ax.set_title(f'{title}: "{pred}"\n{"flagged" if flag else "passes"}', fontsize=12)
    ax.set_axis_off()
plt.tight_layout()
plt.show()
assert np.abs(X_adapt[EPS_DET] - X).max() <= EPS_DET + 1e-6
assert fooled_adapt.mean() >= 0.8 and passed_adapt.mean() >= 0.8 and evades[EPS_DET] >= 0.8, \
    "the adaptive attack fools the classifier and passes the detector"
assert evades[0.1] < evades[EPS_DET], "a smaller budget leaves less room for fooling both"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The cat-and-mouse game, live
# Each defence looked good against the attack it was built for, and each fell to an attacker who adapted:

# %%
game = [("PGD adversarial training", f"PGD eps={EPS}", shifted["PGD-trained"][0], "PGD eps=0.2",
         shifted["PGD-trained"][1]),
        ("3-bit depth reduction", f"PGD eps={EPS_P}", squeeze["3-bit depth"][2], "BPDA-PGD", squeeze["3-bit depth"][3]),
        ("detector (5% FPR)", f"PGD eps={EPS_DET}", float(np.mean(fooled_plain & ~detector.flags(X_plain))),
         "detector-aware PGD", evades[EPS_DET])]
print(f"{'defence':26s} {'attack':>14s} {'succeeds':>9s}   {'adaptive attack':>18s} {'succeeds':>9s}")
for defence, attack, before, adapted, after in game:
    print(f"{defence:26s} {attack:>14s} {before:9.1%}   {adapted:>18s} {after:9.1%}")
assert all(after > before + 0.3 for *_, before, _, after in game), "every defence falls to an adaptive attack"

# %% [markdown] slideshow={"slide_type": "subslide"}
# Success is the test error of the defended model (for the detector: wrong class *and* not flagged). The lesson
# of Athalye et al. and Carlini & Wagner: evaluate a defence against an attacker who knows it. The 1-bit model
# above is the exception that shows the rule — it survives BPDA at ε = 0.1, but only because ε is below half a
# grey level. Chapter 10 ends the game for a given ε with a *proof* instead of an attack.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Take-aways
# - A one-step, sign-of-the-gradient perturbation of ε = 0.15 per pixel changes a confident prediction; PGD at
#   ε = 0.1 fools the normal model on most test digits, in ℓ∞ and in ℓ₂.
# - The slide's targeted attack reaches chosen classes; it is PGD on $e_{y^*}^T\hat z - e_{\mathrm{targ}}^T\hat z$.
# - The three causes, measured: ReLU networks are affine on each linear region, so small aligned changes add up;
#   a linear model's worst logit change $\epsilon\|w\|_1$ grows with the dimension (the sign step attains it
#   exactly) faster than its clean margin; PGD digits lie off the principal subspace of the training digits —
#   though random noise lies farther off and fools nothing, so the direction is what matters.
# - Adversarial training helps against the attack it uses, with no guarantee against a larger ε or another norm.
# - Pre-processing by bit-depth reduction zeroes the gradient and "stops" PGD; BPDA (straight-through backward)
#   breaks it at 3 bits and ε = 0.1. Fewer bits than ε can cross (1–2 bits) is real robustness, at that ε only.
# - A detector trained on PGD examples catches them at a 5 % false-positive rate; a detector-aware PGD fools the
#   classifier and passes the detector. Evaluate every defence against an attacker who knows it.
#
# *Simulated vs real:* the attacks, models and data (MNIST-5k, a stand-in for the lecture's ImageNet panda)
# are real; the attacker has white-box gradient access to the model (and to the defence, for BPDA and the
# detector-aware attack), as FGSM, PGD and the adaptive attacks assume. The PCA subspace is only a proxy for the
# data manifold, and the detector is the simplest one (logistic regression on the pixels).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
# Replace each `answer = None` and run the cell for feedback (`mlprivacy_lab/exercises/ch09.py`). Solutions
# follow, collapsed, in cells tagged `solution`.

# %% tags=["exercise"]
from mlprivacy_lab.exercises import chapter

ex = chapter("09")
ex.fgsm_step

# %% tags=["exercise"]
answer = None  # two numbers
ex.fgsm_step.check(answer)

# %% tags=["solution"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
W_toy, b_toy, x_toy = (np.array(ex.fgsm_step.given[key]) for key in ("W", "b", "x"))
z = W_toy @ x_toy + b_toy
p_toy = np.exp(z) / np.exp(z).sum()
gradient = W_toy.T @ (p_toy - np.eye(2)[ex.fgsm_step.given["y"]])
answer = x_toy + ex.fgsm_step.given["epsilon"] * np.sign(gradient)
ex.fgsm_step.check(answer).require()

# %% tags=["exercise"]
ex.linf_logit_change

# %% tags=["exercise"]
answer = None  # one number
ex.linf_logit_change.check(answer)

# %% tags=["solution"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
answer = ex.linf_logit_change.given["epsilon"] * np.abs(ex.linf_logit_change.given["w"]).sum()
ex.linf_logit_change.check(answer).require()
