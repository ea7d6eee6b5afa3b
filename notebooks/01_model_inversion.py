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
# # Chapter 1 — Model inversion: recovering training data from a model
#
# *Lecture: "Security against attacks that use machine learning — Model inversion attack".*
#
# **Adversary's target:** create a data set X̂ that resembles the X used to train θ.
# **Attack scheme:** (1) some models store training data outright — an SVM keeps its support vectors;
# (2) exploit confidence values: the input that maximises a class's confidence looks like that class's
# training data (MI-Face, Fredrikson, Jha & Ristenpart, CCS 2015).
# **Remedies (lecture):** black-box access only; confidences not revealed, or rounded.
#
# *Stand-in:* the lecture shows faces (the AT&T face set, which we cannot ship); we use handwritten digits.
# Every reconstruction below targets a digit class the way MI-Face targets a person.

# %% slideshow={"slide_type": "skip"}
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from sklearn.svm import SVC

from mlprivacy_lab.api import PredictionAPI, remedy_label
from mlprivacy_lab.api import remedies as api_remedies
from mlprivacy_lab.attacks import inversion
from mlprivacy_lab.config import mode_banner, pick, setup_torch
from mlprivacy_lab.data import load_dataset, mnist5k_split
from mlprivacy_lab.models import accuracy, mlp, train_classifier
from mlprivacy_lab.plots import image_grid

print(mode_banner())
setup_torch(seed=0)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The SVM leak: support vectors are training images
# A kernel SVM's decision function is a weighted sum of kernels on its **support vectors** — which are
# training inputs, stored verbatim in the released model. We fit scikit-learn's `SVC` on the 8×8 digits and
# look each support vector up, bit for bit, in the training set.

# %%
digits = load_dataset("digits", test_size=0.25, seed=0)
svc = SVC(kernel="rbf", gamma=0.05).fit(digits.X_train, digits.y_train)
found = inversion.support_vector_leak(svc, digits.X_train)
n_sv = len(found)
print(f"SVC test accuracy {svc.score(digits.X_test, digits.y_test):.3f}; {n_sv} support vectors = "
      f"{100 * n_sv / len(digits.y_train):.0f}% of the {len(digits.y_train)} training images")
assert (found >= 0).all(), "every support vector is a training image"
assert np.array_equal(svc.support_vectors_, digits.X_train[found]), "...stored verbatim"
print(f"all {n_sv} support vectors match a training image exactly")

# %% slideshow={"slide_type": "fragment"}
show = np.linspace(0, n_sv - 1, 8).astype(int)
fig, axes = plt.subplots(2, len(show), figsize=(12, 3.6))
for col, i in enumerate(show):
    axes[0, col].imshow(svc.support_vectors_[i].reshape(8, 8), cmap="gray_r")
    axes[1, col].imshow(digits.X_train[found[i]].reshape(8, 8), cmap="gray_r")
    axes[1, col].set_title(f"train #{found[i]}", fontsize=11)
for ax in axes.ravel():
    ax.set_axis_off()
axes[0, 0].set_title("in the model:", loc="left", fontsize=12)
fig.suptitle("support vectors released with the model (top) and the training images they are (bottom)")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## MI-Face: find the input the model is most sure about
# Fredrikson et al.'s Algorithm 1: start from a blank input x₀ = 0 and descend the cost
# c(x) = 1 − f_label(x), keeping the best x (stop when c stalls or falls below γ). The target is a softmax
# regression on MNIST-5k — the simplest model of the paper's three.

# %%
mnist = mnist5k_split()
target = train_classifier(mlp(mnist.n_features, mnist.n_classes, hidden=()), mnist.X_train, mnist.y_train,
                          epochs=20, seed=0)
print(f"softmax regression: test accuracy {accuracy(target, mnist.X_test, mnist.y_test):.3f}")
class_means = np.stack([mnist.X_train[mnist.y_train == c].mean(0) for c in range(10)])
classes = np.arange(10)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **White-box** (the attacker holds the model and its gradients):

# %%
white = inversion.mi_face_whitebox(target, classes, mnist.n_features, steps=500, lr=0.1)
white_q = inversion.reconstruction_quality(white.images, classes, mnist.X_train, mnist.y_train)
fig, axes = plt.subplots(2, 10, figsize=(14, 3.4))
for c in classes:
    axes[0, c].imshow(white.images[c].reshape(28, 28), cmap="gray_r")
    axes[0, c].set_title(f"{c}: {white.confidences[c]:.3f}", fontsize=11)
    axes[1, c].imshow(class_means[c].reshape(28, 28), cmap="gray_r")
for ax in axes.ravel():
    ax.set_axis_off()
fig.suptitle("white-box MI-Face reconstructions (top, with confidence) and class means (bottom)")
plt.show()
print(f"correlation with the class mean {white_q['mean_corr_class_mean']:.2f}, with the nearest training "
      f"image {white_q['mean_corr_nearest']:.2f}; identified (nearest class mean) {white_q['identification_rate']:.0%}")
assert white_q["identification_rate"] >= 0.9 and (white.confidences > 0.9).all()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Black-box: only the prediction API
# Now the attacker only queries `PredictionAPI`. It estimates the gradient of the target confidence from
# pairs of queries at x ± σu along random directions u (two-point Gaussian smoothing) — every probe counts
# as a query.

# %%
steps = pick(quick=150, full=600)
blackbox = {"steps": steps, "lr": 0.2, "directions": 50, "sigma": 0.05, "seed": 0}
api = PredictionAPI(target, mnist.n_classes)
black = inversion.mi_face_blackbox(api, classes, mnist.n_features, progress=True, **blackbox)
black_q = inversion.reconstruction_quality(black.images, classes, mnist.X_train, mnist.y_train)
print(f"{black.queries:,} queries ({black.queries // 10:,} per class, {black.steps} iterations); "
      f"correlation with class mean {black_q['mean_corr_class_mean']:.2f}; identified {black_q['identification_rate']:.0%}")
assert black.queries == api.queries
assert black_q["identification_rate"] >= 0.8 and black_q["mean_corr_class_mean"] > 0.2

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Remedies: round, truncate, or hide the confidences
# The same black-box attack against each disclosure mode — the lecture's "black-box reconstruction with
# rounding confidence" figure, with digits.

# %%
remedies = {remedy_label(name): options for name, options in api_remedies(decimals=(4, 3, 2, 1)).items()}
recon, quality, queries = {}, {}, {}
for name, options in remedies.items():
    result = inversion.mi_face_blackbox(PredictionAPI(target, mnist.n_classes, **options), classes,
                                        mnist.n_features, **blackbox)
    recon[name], queries[name] = result.images, result.queries
    quality[name] = inversion.reconstruction_quality(result.images, classes, mnist.X_train, mnist.y_train)
    print(f"{name:11s} {result.queries:9,d} queries   corr. class mean {quality[name]['mean_corr_class_mean']:.3f}   "
          f"nearest training image {quality[name]['mean_corr_nearest']:.3f}   identified {quality[name]['identification_rate']:.0%}")

# %% slideshow={"slide_type": "subslide"}
image_grid({name: mnist.images(recon[name][classes]) for name in remedies},
           title="black-box reconstruction with rounded / truncated confidences")
plt.show()

# %% slideshow={"slide_type": "subslide"}
names = list(remedies)
fig, ax = plt.subplots(figsize=(10, 5))
for key, label in (("mean_corr_class_mean", "correlation with the class mean"),
                   ("mean_corr_nearest", "correlation with the nearest training image")):
    ax.plot(names, [quality[n][key] for n in names], "o-", lw=2.5, ms=9, label=label)
ax.axhline(white_q["mean_corr_class_mean"], color="gray", ls=":", label="white-box (class mean)")
ax.set(ylabel="reconstruction quality", title="what each remedy leaves to the attacker")
ax.tick_params(axis="x", rotation=30)
ax.legend(fontsize=11)
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# Reading the plot: a few decimals cost the attacker nothing; one decimal stalls it on some classes (no
# visible change in the confidence) and blurs the rest; top-1 hides a class until it is already the model's
# top guess; label only still lets it find *an* input labelled c — a noise pattern, not the class.

# %%
q = {name: quality[name]["mean_corr_class_mean"] for name in names}
assert abs(q["4 decimals"] - q["full"]) < 0.02, "4 decimals: as good as full confidences"
assert q["1 decimal"] < q["full"] - 0.05, "rounding to 1 decimal degrades the reconstruction"
assert q["label only"] < q["1 decimal"] and q["label only"] < 0.1, "label only: little of the class is recovered"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Try it: reconstruct one digit through a rounding endpoint

# %%
def show_reconstruction(digit: int = 3, decimals: int = 2) -> None:
    endpoint = PredictionAPI(target, mnist.n_classes, mode="rounded", decimals=decimals)
    result = inversion.mi_face_blackbox(endpoint, [digit], mnist.n_features, **blackbox)
    score = inversion.reconstruction_quality(result.images, [digit], mnist.X_train, mnist.y_train)
    fig, axes = plt.subplots(1, 2, figsize=(7, 3.6))
    axes[0].imshow(result.images[0].reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
    axes[0].set_title(f"{decimals} decimals: corr {score['mean_corr_class_mean']:.2f}", fontsize=12)
    axes[1].imshow(class_means[digit].reshape(28, 28), cmap="gray_r")
    axes[1].set_title(f"class mean, {result.queries:,} queries", fontsize=12)
    for ax in axes:
        ax.set_axis_off()
    plt.show()


widgets.interact(show_reconstruction, digit=widgets.IntSlider(value=3, min=0, max=9, description="digit"),
                 decimals=widgets.IntSlider(value=2, min=0, max=6, description="decimals"));

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Take-aways
# - Some models *are* their training data: an SVM ships its support vectors verbatim.
# - Confidence values are a gradient oracle: MI-Face recovers each class's template white-box, and nearly
#   as well through the prediction API alone, at the price of queries.
# - Rounding must be coarse to matter; label-only answers defeat this attack (not membership inference — chapter 2).
#
# *Simulated vs real:* the "service" is a Python object in this process; the models, the queries (counted)
# and the attack are real. Digits stand in for the lecture's faces.
