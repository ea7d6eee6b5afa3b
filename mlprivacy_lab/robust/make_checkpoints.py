"""Make the shipped MNIST-5k checkpoints:
``python -m mlprivacy_lab.robust.make_checkpoints --kind KIND --out data/FILE.pt``.

Kinds: ``normal`` (cross-entropy), ``pgd`` (adversarial training against PGD, Madry et al. 2018) and
``robust`` (the dual-bound robust loss of Wong & Kolter 2018, with random projections while training).
Each trains ``small_cnn()`` on the 4,000 training digits of ``mnist5k_split()`` with its recipe,
``RECIPES[KIND]`` in ``mlprivacy_lab.robust.checkpoints``; the options below override single entries.
The state_dict is saved after every epoch (robust) or at the end, with a JSON log beside it
(same name, ``.json``): the command, the recipe, per-epoch records and wall time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

from ..config import setup_torch
from ..data import mnist5k_split
from ..models import small_cnn
from .checkpoints import RECIPES, TRAINERS

PROG = "python -m mlprivacy_lab.robust.make_checkpoints"
# Recipe entries the command line may override, with their types.
OVERRIDES = {"epsilon": float, "epochs": int, "warmup_epochs": int, "projection": int, "batch_size": int,
             "lr": float, "seed": int}


def _save(model: torch.nn.Module, out: Path, log: dict) -> None:
    torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, out)
    out.with_suffix(".json").write_text(json.dumps(log, indent=1) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=list(RECIPES), required=True)
    parser.add_argument("--out", type=Path, required=True, help="where to write the state_dict (.pt)")
    for key, kind in OVERRIDES.items():
        note = " (0: exact bounds)" if key == "projection" else ""
        parser.add_argument("--" + key.replace("_", "-"), type=kind, help=f"override the recipe's {key}{note}")
    args = parser.parse_args(argv)
    if args.out.suffix != ".pt":
        parser.error("--out must end in .pt")
    recipe = dict(RECIPES[args.kind])
    for key in OVERRIDES:
        value = getattr(args, key)
        if value is None:
            continue
        if key not in recipe:
            parser.error(f"--{key.replace('_', '-')} does not apply to --kind {args.kind}")
        recipe[key] = None if key == "projection" and value == 0 else value
    device = setup_torch(seed=recipe["seed"])
    data = mnist5k_split()
    model = small_cnn()
    log = {"command": PROG + " " + " ".join(argv if argv is not None else sys.argv[1:]), "kind": args.kind,
           **recipe, "n_train": len(data.y_train), "device": str(device), "torch_threads": torch.get_num_threads(),
           "history": []}
    start, cpu_start = time.perf_counter(), time.process_time()

    def save_epoch(model: torch.nn.Module, record: dict) -> None:
        log["history"].append(record)
        log["train_s"], log["train_cpu_s"] = time.perf_counter() - start, time.process_time() - cpu_start
        _save(model, args.out, log)
        print(json.dumps(record), flush=True)

    per_epoch = {"on_epoch": save_epoch} if args.kind == "robust" else {}
    TRAINERS[args.kind](model, data.X_train, data.y_train, **recipe, device=device, **per_epoch)
    log["train_s"], log["train_cpu_s"] = time.perf_counter() - start, time.process_time() - cpu_start
    log["train_s_per_epoch"] = log["train_s"] / recipe["epochs"]
    _save(model, args.out, log)
    print(f"saved {args.out} after {log['train_s']:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
