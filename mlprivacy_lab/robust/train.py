"""Make the shipped MNIST-5k checkpoints: ``python -m mlprivacy_lab.robust.train --kind KIND --out data/FILE.pt``.

Kinds: ``normal`` (cross-entropy), ``pgd`` (adversarial training against PGD, Madry et al. 2018) and
``robust`` (the dual-bound robust loss of Wong & Kolter 2018, with random projections while training).
All train ``small_cnn()`` on the 4,000 training images of ``load_dataset("mnist5k", test_size=1000, seed=0)``.
The state_dict is saved after every epoch (robust) or at the end, with a JSON log beside it
(same name, ``.json``): arguments, per-epoch records and wall time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

from ..attacks.adversarial import adversarial_train
from ..config import setup_torch
from ..data import load_dataset
from ..models import small_cnn, train_classifier
from .training import train_robust


def _save(model: torch.nn.Module, out: Path, log: dict) -> None:
    torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, out)
    out.with_suffix(".json").write_text(json.dumps(log, indent=1) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlprivacy_lab.robust.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=["normal", "pgd", "robust"], required=True)
    parser.add_argument("--out", type=Path, required=True, help="where to write the state_dict (.pt)")
    parser.add_argument("--epsilon", type=float, default=0.1, help="l_inf radius (pgd and robust)")
    parser.add_argument("--epochs", type=int, default=None, help="default: normal 20, pgd 10, robust 30")
    parser.add_argument("--warmup", type=int, default=15, help="robust: epochs of the epsilon ramp")
    parser.add_argument("--projection", type=int, default=25, help="robust: random projections (0: exact)")
    parser.add_argument("--batch-size", type=int, default=None, help="default: normal 32, pgd 50, robust 16")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.out.suffix != ".pt":
        parser.error("--out must end in .pt")
    epochs = args.epochs or {"normal": 20, "pgd": 10, "robust": 30}[args.kind]
    args.batch_size = args.batch_size or {"normal": 32, "pgd": 50, "robust": 16}[args.kind]
    device = setup_torch(seed=args.seed)
    data = load_dataset("mnist5k", test_size=1000, seed=0)
    model = small_cnn()
    log = {"command": "python -m mlprivacy_lab.robust.train " + " ".join(argv if argv is not None else sys.argv[1:]),
           "kind": args.kind, "epochs": epochs, "epsilon": args.epsilon, "batch_size": args.batch_size,
           "lr": args.lr, "seed": args.seed, "n_train": len(data.y_train), "device": str(device),
           "torch_threads": torch.get_num_threads(), "history": []}
    start, cpu_start = time.perf_counter(), time.process_time()
    if args.kind == "normal":
        train_classifier(model, data.X_train, data.y_train, epochs=epochs, batch_size=args.batch_size, lr=args.lr,
                         seed=args.seed, device=device)
    elif args.kind == "pgd":
        adversarial_train(model, data.X_train, data.y_train, args.epsilon, epochs=epochs,
                          batch_size=args.batch_size, lr=args.lr, seed=args.seed, device=device)
    else:
        log.update(warmup_epochs=args.warmup, projection=args.projection or None)

        def save_epoch(model: torch.nn.Module, record: dict) -> None:
            log["history"].append(record)
            log["train_s"], log["train_cpu_s"] = time.perf_counter() - start, time.process_time() - cpu_start
            _save(model, args.out, log)
            print(json.dumps(record), flush=True)

        train_robust(model, data.X_train, data.y_train, args.epsilon, epochs=epochs, warmup_epochs=args.warmup,
                     batch_size=args.batch_size, lr=args.lr, projection=args.projection or None, seed=args.seed,
                     device=device, on_epoch=save_epoch)
    log["train_s"], log["train_cpu_s"] = time.perf_counter() - start, time.process_time() - cpu_start
    log["train_s_per_epoch"] = log["train_s"] / epochs
    _save(model, args.out, log)
    print(f"saved {args.out} after {log['train_s']:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
