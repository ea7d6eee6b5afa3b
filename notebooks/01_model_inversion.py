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
#
# **Learning objectives.** After this chapter you can
# - run MI-Face in white-box and query-counted black-box settings and judge a reconstruction;
# - explain which of the API's disclosure modes (rounding, top-*k*, label) slows the attack, and why;
# - compute the gradient MI-Face follows, and what rounding does to a finite-difference estimate of it.

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
# ## A deeper model: the chapter 0 MLP
# The same attack against chapter 0's one-hidden-layer network (784-256-10, ReLU, Adam), white-box and
# through the API with every query counted.

# %%
deep = train_classifier(mlp(mnist.n_features, mnist.n_classes, hidden=(256,)), mnist.X_train, mnist.y_train,
                        epochs=pick(quick=3, full=15), seed=0)
print(f"MLP: test accuracy {accuracy(deep, mnist.X_test, mnist.y_test):.3f}")
deep_white = inversion.mi_face_whitebox(deep, classes, mnist.n_features, steps=500, lr=1.0)
deep_api = PredictionAPI(deep, mnist.n_classes)
deep_black = inversion.mi_face_blackbox(deep_api, classes, mnist.n_features, progress=True, **blackbox)
deep_q = {name: inversion.reconstruction_quality(r.images, classes, mnist.X_train, mnist.y_train)
          for name, r in (("white-box", deep_white), ("black-box", deep_black))}
image_grid({"white-box": mnist.images(deep_white.images), "black-box": mnist.images(deep_black.images),
            "class mean": mnist.images(class_means)}, title="MI-Face on the MLP")
plt.show()
for name, q_deep in deep_q.items():
    print(f"{name}: correlation with the class mean {q_deep['mean_corr_class_mean']:.2f}, "
          f"identified {q_deep['identification_rate']:.0%}")
print(f"black-box: {deep_black.queries:,} queries, all counted by the API ({deep_api.queries:,})")
assert deep_black.queries == deep_api.queries > 0
assert deep_q["white-box"]["identification_rate"] >= 0.9 and (deep_white.confidences > 0.9).all()
assert deep_q["black-box"]["identification_rate"] >= 0.8 and deep_q["black-box"]["mean_corr_class_mean"] > 0.2

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Where to start? An initialisation study
# As in ART's MIFace notebook: Algorithm 1 from a blank input (zeros), from the mean of the attacker's
# data, and from uniform noise. We report how far each start already is from the class (the start's own
# correlation with the class mean) and what the attack adds.

# %%
study = {}
for start in inversion.STARTS:
    x0 = inversion.starting_points(start, len(classes), mnist.n_features, X=mnist.X_train, seed=0)
    found = deep_white if start == "zeros" else inversion.mi_face_whitebox(deep, classes, mnist.n_features,
                                                                           steps=500, lr=1.0, x0=x0)
    before = inversion.reconstruction_quality(x0, classes, mnist.X_train, mnist.y_train)["mean_corr_class_mean"]
    quality_start = inversion.reconstruction_quality(found.images, classes, mnist.X_train, mnist.y_train)
    study[start] = {"images": found.images, "start_corr": before, "corr": quality_start["mean_corr_class_mean"],
                    "identified": quality_start["identification_rate"], "confidence": found.confidences.mean()}
    print(f"start {start:5s}: start's corr {before:5.2f} → reconstruction's {quality_start['mean_corr_class_mean']:5.2f}; "
          f"identified {quality_start['identification_rate']:4.0%}; mean target confidence {found.confidences.mean():.3f}")
image_grid({start: mnist.images(row["images"]) for start, row in study.items()},
           title="white-box MI-Face on the MLP from three starting points")
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# Reading: from zeros the attack draws each class from nothing. The data mean already looks like every
# digit (a high correlation before any step), so its reconstructions score high but the attack adds little:
# the score is mostly the start's. Uniform noise is far from every digit: for some classes the network is
# confidently wrong there and the gradient of the target confidence vanishes (the attack stalls); where it
# does reach a high confidence, what it finds is still noise — an adversarial input, not a digit.

# %%
gain = {start: row["corr"] - row["start_corr"] for start, row in study.items()}
assert study["zeros"]["identified"] >= 0.9 and study["zeros"]["confidence"] > 0.9, "zeros: every class found"
assert study["mean"]["start_corr"] > 0.5 and gain["mean"] < gain["zeros"], "the mean start: high before, little gained"
assert study["noise"]["corr"] < 0.2 and gain["noise"] < gain["zeros"] / 2, "noise: the attack finds noise"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Remedies: round, truncate, or hide the confidences
# The same black-box attack against each disclosure mode — the lecture's "black-box reconstruction with
# rounding confidence" figure, with digits.

# %%
remedies = {remedy_label(name): options for name, options in api_remedies(decimals=(4, 3, 2, 1)).items()}
recon, quality, queries, reached = {}, {}, {}, {}
for name, options in remedies.items():
    result = inversion.mi_face_blackbox(PredictionAPI(target, mnist.n_classes, **options), classes,
                                        mnist.n_features, **blackbox)
    recon[name], queries[name], reached[name] = result.images, result.queries, result.confidences
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
# visible change in the confidence) and blurs the rest; top-1 hides a class until some probe makes it the
# model's top guess; label only still lets it find *an* input labelled c — a noise pattern, not the class.
# Each reading is checked below.

# %%
q = {name: quality[name]["mean_corr_class_mean"] for name in names}
stalled = {name: np.flatnonzero(~recon[name].any(axis=1)) for name in names}  # x never left x_0 = 0
print("classes where the attack never moved:", {name: stalled[name].tolist() for name in names if len(stalled[name])})
assert abs(q["4 decimals"] - q["full"]) < 0.02 and abs(q["3 decimals"] - q["full"]) < 0.02, \
    "a few decimals: as good as full confidences"
moved = np.setdiff1d(classes, stalled["1 decimal"])
assert len(stalled["1 decimal"]) > 0, "1 decimal stalls the attack on some classes..."
assert quality["1 decimal"]["corr_class_mean"][moved].mean() < quality["full"]["corr_class_mean"][moved].mean() - 0.02, \
    "...and blurs the rest"
assert q["1 decimal"] < q["full"] - 0.05, "rounding to 1 decimal degrades the reconstruction"
start_guess = int(PredictionAPI(target, mnist.n_classes).predict(np.zeros((1, mnist.n_features)))[0])
assert len(stalled["top-1"]) > 0 and (reached["top-1"][stalled["top-1"]] == 0).all(), \
    "top-1: a class the endpoint never shows gives the attack nothing"
assert start_guess not in stalled["top-1"], "...while the model's top guess at x_0 is attacked as usual"
labelled = PredictionAPI(target, mnist.n_classes).predict(recon["label only"]) == classes
print(f"label only: {labelled.sum()} of 10 reconstructions are labelled as their target class")
assert labelled.sum() >= 8 and q["label only"] < 0.1, "label only: an input labelled c, little of the class"
assert q["label only"] < q["1 decimal"], "label only: the least recovered"

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


widgets.interact(show_reconstruction, digit=widgets.IntSlider(value=3, min=0, max=9, description="digit", continuous_update=False),
                 decimals=widgets.IntSlider(value=2, min=0, max=6, description="decimals", continuous_update=False));

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Take-aways
# - Some models *are* their training data: an SVM ships its support vectors verbatim.
# - Confidence values are a gradient oracle: MI-Face recovers each class's template white-box, and nearly
#   as well through the prediction API alone, at the price of queries.
# - Rounding must be coarse to matter; label-only answers defeat this attack (not membership inference — chapter 2).
#
# *Simulated vs real:* the "service" is a Python object in this process; the models, the queries (counted)
# and the attack are real. Digits stand in for the lecture's faces.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
# Replace each `answer = None` and run the cell for feedback (`mlprivacy_lab/exercises/ch01.py`). Solutions
# follow, collapsed, in cells tagged `solution`.

# %% tags=["exercise"]
from mlprivacy_lab.exercises import chapter

ex = chapter("01")
ex.mi_face_gradient

# %% tags=["exercise"]
answer = None  # two numbers: d c / d x_1, d c / d x_2
ex.mi_face_gradient.check(answer)

# %% tags=["solution"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
W_toy, b_toy, x_toy = (np.array(ex.mi_face_gradient.given[key]) for key in ("W", "b", "x"))
p_toy = np.exp(W_toy @ x_toy + b_toy) / np.exp(W_toy @ x_toy + b_toy).sum()
answer = -p_toy[1] * (W_toy[1] - p_toy @ W_toy)
ex.mi_face_gradient.check(answer).require()

# %% tags=["exercise"]
ex.rounded_gradient_estimate

# %% tags=["exercise"]
answer = None  # two numbers
ex.rounded_gradient_estimate.check(answer)

# %% tags=["solution"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
step, rounded = 1e-3, {}
for i in range(2):
    for sign in (1, -1):
        z = W_toy @ (x_toy + sign * step * np.eye(2)[i]) + b_toy
        rounded[i, sign] = np.round(np.exp(z) / np.exp(z).sum(), 2)[1]
answer = [-(rounded[i, 1] - rounded[i, -1]) / (2 * step) for i in range(2)]
ex.rounded_gradient_estimate.check(answer).require()
