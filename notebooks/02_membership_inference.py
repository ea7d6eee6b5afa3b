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
# # Chapter 2 — Membership inference: was Bob's record used to train the model?
#
# *Lecture: "Security against attacks that use machine learning — Membership inference attack".*
#
# **Adversary's target:** decide whether a record was in the training set X of a model θ.
# **Attack scheme:** exploit the difference between the model's predictions on training records and on
# unseen ones. **Remedies (lecture):** coarser confidences, top-*k* only — and differential privacy (chapter 3).
#
# Three attacks on confidences, all in `mlprivacy_lab.attacks.membership`:
# - **threshold** (Yeom et al., CSF 2018): a low loss means "member";
# - **shadow models** (Shokri et al., S&P 2017): models trained like the target teach one attack classifier per class;
# - **LiRA** (Carlini et al., S&P 2022): a per-record likelihood-ratio test, *online* (IN and OUT shadow
#   models) and *offline* (OUT models only);
#
# and one on labels alone, in `mlprivacy_lab.attacks.label_only`:
# - **label-only** (Choquette-Choo et al., ICML 2021): ask for the label of many perturbed copies of the record;
#   training records keep their label further from home.
#
# **Learning objectives.** After this chapter you can
# - run threshold, shadow-model, LiRA and label-only membership attacks against an overfit target;
# - score an attack by AUC, membership advantage and the true-positive rate at 1% false positives;
# - say what each disclosure remedy does and does not buy, measured.

# %% slideshow={"slide_type": "skip"}
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from sklearn.preprocessing import StandardScaler
from tqdm.auto import tqdm

from mlprivacy_lab.api import remedies as api_remedies
from mlprivacy_lab.api import remedy_label
from mlprivacy_lab.attacks import label_only
from mlprivacy_lab.attacks import membership as mia
from mlprivacy_lab.attacks.metrics import plot_roc
from mlprivacy_lab.config import mode_banner, pick, setup_torch
from mlprivacy_lab.data import load_dataset
from mlprivacy_lab.models import accuracy

print(mode_banner())
setup_torch(seed=0)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The game
# The attacker knows a **pool** of records and the training recipe, but not which half of the pool trained
# the target. We train several **target** models, each on a random half of the pool (so every record is a
# member of some targets and a non-member of others), and the attacker trains its own **shadow** models the
# same way. The attacker sees targets only through `PredictionAPI`; its shadows answer through the same
# disclosure. Scores are pooled over targets, so the low-FPR numbers rest on more non-members.
#
# *Simulated vs real:* the service and the attacker run in one process; the training, the queries and the
# attacks are real.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Was Bob's record used? — the breast-cancer table
# 455 patients (the training split of scikit-learn's Wisconsin breast-cancer table), 30 standardised
# features. Targets and shadows: a two-layer MLP trained hard on half of the patients.

# %%
cancer = load_dataset("breast_cancer", test_size=0.2, seed=0)
X_cancer = StandardScaler().fit(cancer.X_train).transform(cancer.X_train).astype(np.float32)
cancer_fn = mia.mlp_train_fn(cancer.n_features, 2, hidden=(256,), epochs=pick(quick=60, full=100), batch_size=32)
cancer_exp = mia.MembershipExperiment.train(X_cancer, cancer.y_train, cancer_fn, n_targets=2,
                                            n_shadows=pick(quick=12, full=32), seed=0)
cancer_stats = {name: result.summary() for name, result in cancer_exp.run().items()}
for name, s in cancer_stats.items():
    print(f"{name:13s} AUC {s['auc']:.3f}   advantage {s['advantage']:.3f}   TPR@1%FPR {s['tpr_at_1pct_fpr']:.3f}")
print(f"(pooled over 2 targets: {s['n_members']} members, {s['n_nonmembers']} non-members)")
assert all(abs(s["auc"] - 0.5) < 0.1 for s in cancer_stats.values()), "on average, close to chance"

# %% [markdown] slideshow={"slide_type": "fragment"}
# On average the table looks almost safe: the model generalises well, so most patients are typical and the
# attacks are close to chance (AUC within 0.5 ± 0.1). But privacy is about *individuals*. The attacker can find, from its shadow
# models alone, the patient whose presence changes the model most — call him **Bob**.

# %%
shadow_conf, _ = mia.query_models(cancer_exp.shadows.models, X_cancer, 2)
target_conf, _ = mia.query_models(cancer_exp.targets.models, X_cancer, 2)
lira = mia.LiRA(online=True).fit(shadow_conf, cancer_exp.shadows.keep, cancer.y_train)
bob = int(np.argmax(lira.mean_in_ - lira.mean_out_))
log_ratio = lira.score(target_conf, cancer.y_train)[:, bob]
for t, (lr, member) in enumerate(zip(log_ratio, cancer_exp.targets.keep[:, bob])):
    verdict = "member" if lr > 0 else "not a member"
    print(f"target {t}: log-likelihood ratio {lr:+8.2f} -> LiRA says Bob is {verdict:12s} (truth: "
          f"{'member' if member else 'not a member'})")
assert ((log_ratio > 0) == cancer_exp.targets.keep[:, bob]).all(), "LiRA answers the Bob question correctly"
mia.plot_lira_record(cancer_exp, bob)
plt.title(f"Bob (patient {bob}): LiRA's Gaussians from {len(cancer_exp.shadows.models)} shadow models")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The vulnerable MNIST target
# As in LiRA's small-data experiments: a pool of 1,000 MNIST-5k digits; each target is an MLP (784-256-10)
# trained to 100% training accuracy on 500 of them.

# %%
X, y, train_fn = mia.vulnerable_mnist()
mnist_exp = mia.MembershipExperiment.train(X, y, train_fn, n_targets=pick(quick=4, full=16),
                                           n_shadows=pick(quick=16, full=64), seed=0)
keep0 = mnist_exp.targets.keep[0]
train_acc = accuracy(mnist_exp.targets.models[0], X[keep0], y[keep0])
test_acc = accuracy(mnist_exp.targets.models[0], X[~keep0], y[~keep0])
print(f"{len(mnist_exp.targets.models)} targets, {len(mnist_exp.shadows.models)} shadows; target 0: "
      f"members {int(keep0.sum())}, train accuracy {train_acc:.3f}, accuracy on non-members {test_acc:.3f}")
assert train_acc == 1.0 and train_acc - test_acc > 0.05, "the target overfits"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Four attacks, measured as the field reports them
# ROC on log-log axes (the low-FPR corner is what matters: an attack that is confident about a few
# individuals), AUC, membership advantage max(TPR − FPR), and TPR at 1% and 0.1% FPR.

# %%
results = mnist_exp.run()
stats = {name: r.summary() for name, r in results.items()}
n_nonmembers = stats["threshold"]["n_nonmembers"]
print(f"{'attack':13s} {'AUC':>6s} {'adv.':>6s} {'TPR@1%':>7s} {'TPR@0.1%':>9s}")
for name, s in stats.items():
    print(f"{name:13s} {s['auc']:6.3f} {s['advantage']:6.3f} {s['tpr_at_1pct_fpr']:7.3f} {s['tpr_at_0p1pct_fpr']:9.4f}")
print(f"TPR@0.1% FPR rests on {n_nonmembers} non-members: {stats['threshold']['false_positives_at_0p1pct_fpr']} "
      "false positives allowed")
plot_roc({name: (r.scores, r.is_member) for name, r in results.items()},
         title=f"membership inference, MNIST pool of {len(y)}")
plt.show()

# %% slideshow={"slide_type": "fragment"}
ratio = stats["lira_online"]["tpr_at_1pct_fpr"] / max(stats["threshold"]["tpr_at_1pct_fpr"], 1 / n_nonmembers)
print(f"LiRA online finds {ratio:.1f}x more members than the threshold attack at 1% FPR")
for name, s in stats.items():
    assert s["auc"] > 0.55 and s["advantage"] > 0.1, f"{name} beats chance"
assert stats["lira_online"]["auc"] >= 0.75, "LiRA online: AUC >= 0.75 on the vulnerable target"
assert ratio >= 5, "LiRA's TPR at 1% FPR is at least 5x the threshold attack's"
assert stats["lira_online"]["tpr_at_1pct_fpr"] > stats["lira_offline"]["tpr_at_1pct_fpr"] > stats["threshold"]["tpr_at_1pct_fpr"]

# %% [markdown] slideshow={"slide_type": "subslide"}
# The LiRA paper's central finding, reproduced: by AUC the attacks look alike, but at low FPR the per-record
# test finds an order of magnitude more members. One MNIST digit through LiRA's eyes — the record that the
# attacker's shadows say is most exposed:

# %%
mnist_lira = mia.LiRA(online=True).fit(mia.query_models(mnist_exp.shadows.models, X, 10)[0], mnist_exp.shadows.keep, y)
digit = int(np.argmax(mnist_lira.mean_in_ - mnist_lira.mean_out_))
fig, (ax_img, ax) = plt.subplots(1, 2, figsize=(13, 4.5), gridspec_kw={"width_ratios": [1, 3]})
ax_img.imshow(X[digit].reshape(28, 28), cmap="gray_r")
ax_img.set_axis_off()
ax_img.set_title(f"record {digit}, label {y[digit]}")
mia.plot_lira_record(mnist_exp, digit, ax=ax)
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Attack success against the generalisation gap
# Yeom et al. tie membership advantage to overfitting. We retrain targets and shadows for more and more
# epochs and watch the train–test gap and the attacks grow together. (The accuracy gap is a coarse measure:
# after one epoch the model is still learning and its gap is noisy; the attacks read the finer signal of
# the confidences.)

# %%
sweep_epochs = pick(quick=[1, 3, 10, 30], full=[1, 2, 5, 10, 20, 50])
sweep = []
for epochs in sweep_epochs:
    exp = mia.MembershipExperiment.train(X, y, mia.mlp_train_fn(784, 10, hidden=(256,), epochs=epochs),
                                         n_targets=2, n_shadows=pick(quick=4, full=16), seed=1, progress=False)
    gap = np.mean([accuracy(model, X[k], y[k]) - accuracy(model, X[~k], y[~k])
                   for model, k in zip(exp.targets.models, exp.targets.keep)])
    aucs = {name: r.summary()["auc"] for name, r in exp.run(["threshold", "lira_online"]).items()}
    sweep.append((epochs, gap, aucs))
    print(f"{epochs:3d} epochs: gap {gap:.3f}   threshold AUC {aucs['threshold']:.3f}   LiRA AUC {aucs['lira_online']:.3f}")
fig, ax = plt.subplots(figsize=(9, 5))
for name in ("threshold", "lira_online"):
    ax.plot(sweep_epochs, [aucs[name] for *_, aucs in sweep], "o-", lw=2.5, ms=9, label=f"{name} AUC")
ax.axhline(0.5, color="k", ls="--", lw=1)
ax.set(xscale="log", xlabel="training epochs", ylabel="attack AUC", title="overfitting leaks membership")
gap_ax = ax.twinx()
gap_ax.plot(sweep_epochs, [gap for _, gap, _ in sweep], "s:", color="gray", lw=2, ms=8, label="generalisation gap")
gap_ax.set_ylabel("member acc. - non-member acc.")
ax.legend(loc="upper left", fontsize=11)
gap_ax.legend(loc="lower right", fontsize=11)
plt.show()
assert sweep[-1][1] > sweep[0][1] and sweep[-1][2]["lira_online"] > sweep[0][2]["lira_online"] + 0.05

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The lecture's remedies, measured through the API
# Every attack reruns against each disclosure mode; the attacker knows the mode and passes its shadows
# through it too.

# %%
remedies = {remedy_label(name): options for name, options in api_remedies(decimals=(3, 2, 1, 0)).items()}
remedy_results = {remedy: mnist_exp.run(**options) for remedy, options in tqdm(remedies.items(), desc="remedies")}
remedy_stats = {remedy: {name: r.summary() for name, r in results.items()} for remedy, results in remedy_results.items()}
fig, axes = plt.subplots(1, 2, figsize=(15, 5))
width = 0.2
for i, name in enumerate(mia.ATTACKS):
    for ax, metric in zip(axes, ("auc", "tpr_at_1pct_fpr")):
        ax.bar(np.arange(len(remedies)) + (i - 1.5) * width, [remedy_stats[r][name][metric] for r in remedies],
               width, label=name)
for ax, metric in zip(axes, ("AUC", "TPR at 1% FPR")):
    ax.set_xticks(np.arange(len(remedies)), list(remedies), rotation=30)
    ax.set_ylabel(metric)
axes[0].axhline(0.5, color="k", ls="--", lw=1)
axes[0].set_ylim(0.4, 0.85)
axes[1].axhline(0.01, color="k", ls="--", lw=1)
axes[0].legend(fontsize=11)
plt.tight_layout()
plt.show()
one_query = {remedy: mia.best_attack(by_attack)[1] for remedy, by_attack in remedy_stats.items()}
for remedy, auc_value in one_query.items():
    print(f"{remedy:11s} best one-query attack AUC {auc_value:.3f}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# Rounding and top-*k* barely help — LiRA only needs the true class's confidence, and even a rounded one
# separates members from non-members. Against the label-only endpoint these attacks, built for confidences,
# read a one-hot answer: one query per record says only "right or wrong", and a misclassified record is
# probably not a member (the generalisation gap again).

# %%
assert one_query["2 decimals"] > one_query["full"] - 0.05, "rounding to 2 decimals barely helps"
assert one_query["top-1"] > 0.65, "top-1 still leaks"
assert one_query["label only"] < one_query["full"] - 0.1, "one label query per record: most of the attack is gone"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## An attack designed for labels (Choquette-Choo et al., ICML 2021)
# A model is more *robust* on its training records: they sit further from the decision boundary. So the
# attacker asks the label-only endpoint about each record **and** about perturbed copies of it — translated by
# one pixel (their augmentation attack) and with Gaussian noise σ = 0.3 (their cheap estimate of the distance
# to the boundary) — and counts how often the label stays the true one. It calibrates each record with its
# OUT shadow models (Watson et al., ICLR 2022): a digit that every model finds hard is not a member just
# because it wobbles. Every query goes through `PredictionAPI(mode="label")` and is counted.

# %%
attack = label_only.LabelOnlyAttack(label_only.Perturbations(n_noise=30, sigma=0.3, max_shift=1))
label_result = attack.run(mnist_exp, progress=True)
label_stats = label_result.summary()
per_record = label_only.queries_per_record(label_result, mnist_exp)
print(f"label-only attack: AUC {label_stats['auc']:.3f}, advantage {label_stats['advantage']:.3f}, "
      f"TPR@1%FPR {label_stats['tpr_at_1pct_fpr']:.3f}; {label_result.target_queries:,} label queries to the "
      f"targets = {per_record:.0f} per record")
best_one_query = mia.best_attack(remedy_stats["label only"])[0]
label_one_query = mnist_exp.run([best_one_query], mode="label")[best_one_query]
plot_roc({"LiRA online, full confidences": (results["lira_online"].scores, results["lira_online"].is_member),
          f"label-only, {per_record:.0f} queries per record": (label_result.scores, label_result.is_member),
          f"{best_one_query} on labels, 1 query": (label_one_query.scores, label_one_query.is_member)},
         title="what the label-only endpoint still leaks")
plt.show()
best = {remedy: max(auc_value, label_stats["auc"]) if remedy == "label only" else auc_value
        for remedy, auc_value in one_query.items()}
print(f"label only, best attack AUC: {best['label only']:.3f} (one query per record: {one_query['label only']:.3f}; "
      f"full confidences: {best['full']:.3f})")

# %% [markdown] slideshow={"slide_type": "fragment"}
# What label-only disclosure **buys**: the confidence attacks lose their signal, the strongest attack loses
# some AUC and, above all, part of its low-FPR power (TPR at 1% FPR), and the attacker pays
# tens of queries per record instead of one — a cost a rate-limited service can notice. What it does **not**
# buy: privacy. An attack built for labels gets most of the leak back, because the leak is the model's
# overfitting, not the decimals it prints. Differential privacy (chapter 3) is the remedy with a guarantee.

# %%
assert label_stats["auc"] > one_query["label only"] + 0.03, "an attack built for labels beats one label query"
assert label_stats["auc"] > 0.6 and label_stats["tpr_at_1pct_fpr"] > 0.02, "label only still leaks membership"
assert label_stats["tpr_at_1pct_fpr"] < stats["lira_online"]["tpr_at_1pct_fpr"], "...less at low FPR than LiRA"
assert label_result.target_queries == per_record * len(mnist_exp.targets.models) * len(y) and per_record > 1

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Try it: precision of the confidences
# Slide the number of decimals the endpoint keeps and watch the ROC curves of the four attacks (read from the
# remedies' runs above, so the slider answers at once).

# %%
def show_rounding(kept: str = "2 decimals") -> None:
    plot_roc({name: (r.scores, r.is_member) for name, r in remedy_results[kept].items()},
             title=f"confidences: {kept}")
    plt.show()


widgets.interact(show_rounding, kept=widgets.SelectionSlider(
    options=["0 decimals", "1 decimal", "2 decimals", "3 decimals", "full"], value="2 decimals",
    description="kept", continuous_update=False));

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Take-aways
# - An overfit model answers differently on its training records: a threshold on the loss already beats chance.
# - Per-record calibration (LiRA) is what makes the attack confident: many times the threshold attack's TPR at 1% FPR.
# - Averages hide individuals: the breast-cancer model looks safe on average, yet Bob's membership is plain.
# - Coarser confidences and top-*k* barely help. Label-only answers defeat the confidence attacks, but an attack
#   built for labels (perturb the record, count the labels that hold) still finds members — at tens of queries
#   per record. Chapter 3 brings differential privacy, and these same attacks measure it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
# Replace each `answer = None` and run the cell for feedback (`mlprivacy_lab/exercises/ch02.py`). Solutions
# follow, collapsed, in cells tagged `solution`.

# %% tags=["exercise"]
from mlprivacy_lab.exercises import chapter

ex = chapter("02")
ex.advantage_from_confusion_matrix

# %% tags=["exercise"]
answer = None  # one number
ex.advantage_from_confusion_matrix.check(answer)

# %% tags=["solution"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
answer = 70 / (70 + 30) - 25 / (25 + 75)  # TPR - FPR
ex.advantage_from_confusion_matrix.check(answer).require()

# %% tags=["exercise"]
ex.auc_by_hand

# %% tags=["exercise"]
answer = None  # one number
ex.auc_by_hand.check(answer)

# %% tags=["solution"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
members, nonmembers = [0.9, 0.8, 0.4], [0.7, 0.4, 0.1]
answer = np.mean([1.0 if m > n else 0.5 if m == n else 0.0 for m in members for n in nonmembers])
ex.auc_by_hand.check(answer).require()
