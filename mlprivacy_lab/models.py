"""Small torch classifiers, the array-to-tensor helper and the seeded mini-batch loop every trainer uses."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn
from tqdm.auto import tqdm

from .config import device as default_device


def mlp(n_features: int, n_classes: int, hidden: Sequence[int] = (128,)) -> nn.Sequential:
    """A fully connected ReLU network: n_features -> hidden... -> n_classes logits."""
    layers: list[nn.Module] = []
    width = n_features
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    layers.append(nn.Linear(width, n_classes))
    return nn.Sequential(*layers)


def small_cnn(image_shape: tuple[int, int] = (28, 28), n_classes: int = 10, channels: int = 16) -> nn.Sequential:
    """Two strided convolutions and two linear layers: the small MNIST model of Wong & Kolter (2018)."""
    h, w = image_shape
    h2, w2 = (h + 1) // 2, (w + 1) // 2
    h4, w4 = (h2 + 1) // 2, (w2 + 1) // 2
    return nn.Sequential(
        nn.Unflatten(1, (1, h, w)),
        nn.Conv2d(1, channels, 4, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(channels, 2 * channels, 4, stride=2, padding=1), nn.ReLU(),
        nn.Flatten(),
        nn.Linear(2 * channels * h4 * w4, 100), nn.ReLU(),
        nn.Linear(100, n_classes),
    )


def as_tensors(X: np.ndarray | Tensor, y: np.ndarray | Tensor | None = None, dev: torch.device | None = None, *,
               model: nn.Module | None = None) -> Tensor | tuple[Tensor, Tensor]:
    """Inputs (arrays or tensors) as a float tensor, and labels ``y`` as int64, one per row of ``X``.

    The inputs are float32 on ``dev``; with ``model`` they take the device and dtype of its parameters
    instead (a float64 model gets float64 inputs). The labels follow the inputs' device.
    """
    if model is not None and dev is not None:
        raise ValueError("pass dev or model, not both: with a model the tensors go to its parameters' device")
    param = None if model is None else next(model.parameters())
    Xt = _tensor(X).to(device=dev if param is None else param.device,
                      dtype=torch.float32 if param is None else param.dtype)
    if y is None:
        return Xt
    yt = _tensor(y).to(device=Xt.device, dtype=torch.int64)
    if yt.shape != Xt.shape[:1]:
        raise ValueError(f"y must have one label per row of x: got {tuple(yt.shape)} labels for {len(Xt)} rows")
    return Xt, yt


def _tensor(v) -> Tensor:
    return v if isinstance(v, Tensor) else torch.as_tensor(np.asarray(v))


@dataclass(frozen=True)
class Batch:
    """One mini-batch of ``fit_minibatches``: its row ``index`` tensor, the 0-based ``epoch``, the global
    ``step`` (batches before this one) and ``start``, its offset in the epoch's shuffled order."""

    index: Tensor
    epoch: int
    step: int
    start: int


def check_batching(epochs: int, batch_size: int) -> None:
    """A clear error unless ``epochs`` and ``batch_size`` are positive integers."""
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise ValueError(f"epochs and batch_size must be positive integers, got {name}={value!r}")


def minibatches(n: int, batch_size: int, generator: torch.Generator,
                device: torch.device | None = None) -> Iterator[Tensor]:
    """One epoch of shuffled mini-batches: ``torch.randperm(n, generator=generator)`` cut into index slices
    of ``batch_size`` (the last may be shorter). The permutation is drawn on the CPU, so a seed gives the
    same batches on every device."""
    order = torch.randperm(n, generator=generator).to(device)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def seeded_order(n_rows: int, n_samples: int, seed: int) -> np.ndarray:
    """``n_samples`` row indices: seeded permutations of ``n_rows`` rows, concatenated as often as needed (a
    public, reproducible batch order for numpy training loops; never for secrets)."""
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.permutation(n_rows) for _ in range(-(-n_samples // n_rows))])[:n_samples]


def clipped_normal_weights(sizes: Sequence[int], bound: float, seed: int) -> list[np.ndarray]:
    """Weight matrices ``sizes[i] x sizes[i+1]`` drawn N(0, 1 / fan_in) from ``seed`` and clipped to
    ``[-bound, bound]`` (a public, reproducible initialisation; never for secrets)."""
    rng = np.random.default_rng(seed)
    return [np.clip(rng.normal(0, np.sqrt(1.0 / i), (i, o)), -bound, bound) for i, o in zip(sizes[:-1], sizes[1:])]


def descend(optimizer: torch.optim.Optimizer, loss: Tensor) -> None:
    """One step of ``optimizer`` down ``loss``: zero the gradients, backpropagate, step."""
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def fit_minibatches(step: Callable[[Batch], Mapping[str, float] | None], n_samples: int, *, epochs: int,
                    batch_size: int, seed: int = 0, device: torch.device | None = None, progress: bool = False,
                    desc: str = "training", on_epoch_start: Callable[[int], None] | None = None,
                    on_epoch_end: Callable[[dict], None] | None = None) -> list[dict]:
    """The seeded mini-batch loop behind every trainer of the lab.

    Each of ``epochs`` epochs shuffles ``range(n_samples)`` with one generator seeded by ``seed`` (see
    ``minibatches``) and calls ``step(batch)`` on every mini-batch; ``step`` takes the optimiser step(s)
    itself (``descend``) and may return sums over the batch's rows, e.g. ``{"loss": loss * len(batch.index)}``.
    Returns one record per epoch, ``{"epoch": e (from 1), key: sum / n_samples}`` (the epoch's means).
    ``on_epoch_start(epoch)`` (from 0) runs before each epoch, ``on_epoch_end(record)`` after it and may
    add entries to the record.
    """
    check_batching(epochs, batch_size)
    if n_samples < 1:
        raise ValueError("training needs at least one sample")
    generator = torch.Generator().manual_seed(seed)
    history: list[dict] = []
    steps = 0
    for epoch in tqdm(range(epochs), desc=desc, disable=not progress, leave=False):
        if on_epoch_start is not None:
            on_epoch_start(epoch)
        sums: dict[str, float] = {}
        for i, index in enumerate(minibatches(n_samples, batch_size, generator, device)):
            for key, value in (step(Batch(index, epoch, steps, i * batch_size)) or {}).items():
                sums[key] = sums.get(key, 0.0) + value
            steps += 1
        record = {"epoch": epoch + 1, **{key: value / n_samples for key, value in sums.items()}}
        if on_epoch_end is not None:
            on_epoch_end(record)
        history.append(record)
    return history


def train_classifier(model: nn.Module, X: np.ndarray, y: np.ndarray, *, epochs: int = 10,
                     batch_size: int = 64, lr: float = 1e-3, weight_decay: float = 0.0,
                     seed: int = 0, progress: bool = True, device: torch.device | None = None) -> nn.Module:
    """Train with Adam on cross-entropy, seeded mini-batches; returns the model in eval mode."""
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
    dev = device or default_device()
    model.to(dev).train()
    Xt, yt = as_tensors(X, y, dev)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    fit_minibatches(lambda batch: descend(opt, loss_fn(model(Xt[batch.index]), yt[batch.index])), len(Xt),
                    epochs=epochs, batch_size=batch_size, seed=seed, device=dev, progress=progress)
    return model.eval()


@torch.no_grad()
def predict_proba(model: nn.Module, X: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Softmax confidences of a torch classifier, as a numpy array (n, classes)."""
    model.eval()
    Xt = as_tensors(X, model=model)
    out = [torch.softmax(model(Xt[i:i + batch_size]), dim=1) for i in range(0, len(Xt), batch_size)]
    return torch.cat(out).double().cpu().numpy()


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows whose arg-max confidence equals the label."""
    return float(np.mean(predict_proba(model, X).argmax(1) == np.asarray(y)))
