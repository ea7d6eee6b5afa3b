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
# the model θ answers something else. The lecture's causes: inputs off the data manifold (the curse of
# dimensionality) and **ReLU networks being piecewise linear**, so that many small, carefully signed changes
# add up. The remedies: detect and remove adversarial examples, or design the network to be robust.
#
# This chapter attacks the small MNIST convolutional network of Wong & Kolter (2018) with FGSM, the slide's
# targeted attack and PGD in $\ell_\infty$ and $\ell_2$, then trains it adversarially. Chapter 10 proves
# robustness instead of testing it.
#
# **Learning objectives.** After this chapter you can
# - craft FGSM and PGD adversarial examples and measure a model's adversarial error;
# - explain the lecture's causes of adversarial examples, starting with the linearity of the model;
# - compute by hand how far an ℓ∞ perturbation moves a linear score, and why high dimension makes it large.

# %% slideshow={"slide_type": "skip"}
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch
from tqdm.auto import tqdm

from mlprivacy_lab.attacks.adversarial import (adversarial_error, adversarial_train, fgsm, linear_regions,
                                               loss_gradient, pgd, targeted_attack)
from mlprivacy_lab.config import is_quick, mode_banner, pick, setup_torch
from mlprivacy_lab.data import make_gaussian_mixture, mnist5k_split
from mlprivacy_lab.models import accuracy, mlp, predict_proba, small_cnn, train_classifier
from mlprivacy_lab.plots import digit_with_confidences
from mlprivacy_lab.robust.checkpoints import shipped_or_retrained

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
# attack — a larger ε, or the ℓ₂ norm — and the PGD-trained model falls again. Chapter 10 ends the game
# for a given ε with a *proof* instead of an attack.

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
# ## Take-aways
# - A one-step, sign-of-the-gradient perturbation of ε = 0.15 per pixel changes a confident prediction; PGD at
#   ε = 0.1 fools the normal model on most test digits, in ℓ∞ and in ℓ₂.
# - The slide's targeted attack reaches chosen classes; it is PGD on $e_{y^*}^T\hat z - e_{\mathrm{targ}}^T\hat z$.
# - ReLU networks are affine on each linear region, so small aligned changes add up linearly.
# - Adversarial training helps against the attack it uses, with no guarantee against a larger ε or another norm.
#
# *Simulated vs real:* the attacks, models and data (MNIST-5k, a stand-in for the lecture's ImageNet panda)
# are real; the attacker has white-box gradient access to the model, as FGSM and PGD assume.

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
