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
# # Chapter 11 — Take-aways: what each method guarantees, what it costs, what still leaks
#
# *Lecture: "Take away messages".*
#
# The lecture closes with two lists: the attacks a deployed model faces (model inversion, membership inference,
# adversarial examples) and the methods against them (differential privacy, homomorphic encryption,
# compressive privacy). The book built every one of them for real. This chapter puts them side by side,
# each with the guarantee it gives, the cost the book's benchmarks measured, and what it does **not** protect.
#
# **Learning objectives.** After this chapter you can
# - name, for each method of the book, the threat it addresses and the kind of guarantee it gives;
# - compare the methods' costs from measurements, not from folklore;
# - say what still leaks under each method, and choose a method for a stated threat.

# %% slideshow={"slide_type": "skip"}
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from mlprivacy_lab.config import mode_banner
from mlprivacy_lab.synthesis import METHODS, PROTECTION_LEVELS, load_results, plot_cost_against_protection, \
    synthesis_table, table_markdown

print(mode_banner())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where the numbers come from
# Every number below is read from a benchmark's JSON (`python -m mlprivacy_lab bench NAME --json`). Running
# all nine takes long (the private-PCA table alone is minutes in full mode), so by default the chapter reads
# the copies saved in `data/benchmarks/` (their mode and date are printed; `data/README.md` gives the command
# that remakes them). Set `RUN_BENCHMARKS = True` to measure everything again on your machine, in quick mode.

# %%
RUN_BENCHMARKS = False
results = load_results(run=RUN_BENCHMARKS)
for result in results.values():
    where = "measured now" if RUN_BENCHMARKS else "read from " + result.source
    print(f"{result.name:12s} {result.mode:5s} mode, {result.data['wall_s']:7.1f} s, {where}")
assert set(results) >= {"mia", "dpsgd", "paillier", "gc", "private_pca", "smpc", "cpgan", "certify"}

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The closing table

# %%
table = synthesis_table(results)
display(Markdown(table_markdown(table)))
assert [row["method"] for row in table] == [method.name for method in METHODS]

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Cost against protection
# Each method at its measured overhead (how many times longer the protected job takes than the same job
# unprotected, log scale) and the kind of protection it gives. The lecture's verdict on homomorphic encryption,
# "secure but costly", is the top right of the figure; the output remedies are free and prove nothing.

# %%
ax = plot_cost_against_protection(table)
plt.show()
overhead = {row["method"]: row["overhead"] for row in table}
cryptographic = [row["overhead"] for row in table if row["level"] == PROTECTION_LEVELS[-1]]
print("overheads:", ", ".join(f"{name} {value:.3g}x" for name, value in overhead.items()))
assert min(cryptographic) > max(overhead["DP-SGD"], overhead["Rounding, top-k, label only"]), \
    "the lecture's 'secure but costly': every cryptographic method costs more than DP-SGD and the API remedies"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The lecture's claims, checked against the measurements

# %%
mia = results["mia"].data["remedies"]
print(f"membership AUC: full confidences {mia['full']['auc']:.3f}, label only {mia['label']['auc']:.3f}")
assert mia["label"]["auc"] < mia["full"]["auc"], "revealing less should lower the best attack's AUC"
assert mia["label"]["auc"] > 0.5, "but the label alone still leaks membership (chapter 2's label-only attack)"

cpgan_rows = results["cpgan"].data["datasets"]["mnist5k"]["rows"]
dnn = next(row for row in cpgan_rows if row["method"].startswith("DNN"))
cpgan = [row for row in cpgan_rows if row["method"].startswith("CPGAN")]
pca = [row for row in cpgan_rows if row["method"].startswith("PCA")]
useful = [row for row in cpgan if row["utility_accuracy"] >= dnn["utility_accuracy"] - 0.05]
print(f"CPGAN points within 5 accuracy points of the unprotected DNN: {len(useful)} of {len(cpgan)}")
assert useful and max(row["intruder_mse"] for row in useful) > max(row["intruder_mse"] for row in pca), \
    "the lecture: CPGAN defends reconstruction while keeping satisfactory utility"

certify_rows = {row["model"]: row for row in results["certify"].data["rows"]}
print(f"certified error: robust {certify_rows['robust']['bound_err']:.3f}, normal {certify_rows['normal']['bound_err']:.3f}")
assert certify_rows["robust"]["bound_err"] < certify_rows["normal"]["bound_err"], \
    "certified training certifies what normal training cannot"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Take-aways
# - **Hiding part of the output** (rounding, top-*k*, the label) is free and slows model inversion, but proves
#   nothing: membership still leaks through labels alone.
# - **Differential privacy** is the only method here with a bound that holds against *every* attacker on the
#   trained model; it costs training time and accuracy, and its guarantee is only as good as ε is small.
# - **Cryptography** (Paillier, garbled circuits, secret sharing) hides the data while it is computed on, and
#   reveals the output in full; it is the costly corner of the figure, and the network, not the arithmetic,
#   dominates a real deployment.
# - **Compressive privacy** keeps utility and defeats the intruders we trained; its protection is measured,
#   not proved. **Certified training** proves robustness within ε, and nothing about privacy.
# - Methods answer different threats; they combine (DP-SGD on secret shares, a certified model behind a
#   label-only API) rather than compete.
#
# *Simulated vs real:* the table is read from the benchmarks' real measurements (cached or run now, as printed
# above); the protection levels are the guarantees the literature proves, stated, not measured.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
# Replace each `answer = None` and run the cell for feedback (`mlprivacy_lab/exercises/ch11.py`). Solutions
# follow, collapsed, in cells tagged `solution`.

# %% tags=["exercise"]
from mlprivacy_lab.exercises import chapter

ex = chapter("11")
ex.choose_a_method

# %% tags=["exercise"]
answer = None  # a method's name, e.g. "Secret sharing"
ex.choose_a_method.check(answer)

# %% tags=["solution"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
answer = "DP-SGD"
ex.choose_a_method.check(answer).require()

# %% tags=["exercise"]
ex.secure_over_plain

# %% tags=["exercise"]
answer = None  # one number
ex.secure_over_plain.check(answer)

# %% tags=["solution"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
smpc = results["smpc"].data
answer = smpc["secure_s_per_epoch"] / smpc["plain_s_per_epoch"]
ex.secure_over_plain.check(answer).require()
