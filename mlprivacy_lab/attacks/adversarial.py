"""Adversarial examples: FGSM, the targeted attack, PGD in l_inf and l_2, and adversarial training.

- FGSM (Goodfellow, Shlens & Szegedy, ICLR 2015, Sec. 4): ``x + epsilon sign(grad_x J(theta, x, y))``.
- Targeted attack (the lecture's slide; Carlini & Wagner, S&P 2017, Sec. III): minimise
  ``e_{y*}^T z_hat - e_targ^T z_hat`` subject to ``||Delta x||_p <= epsilon``, by projected gradient descent.
- PGD (Madry et al., ICLR 2018, Eq. 2 and Sec. 2.1): iterate ``x <- Proj_{B_p(x0, epsilon)}(x + alpha step)``
  to maximise the loss, with ``step = sign(grad)`` for l_inf and ``grad / ||grad||_2`` for l_2.
- Adversarial training (Madry et al. 2018, Eq. 2): ``min_theta sum_i L(f_theta(x_i + Delta x_i), y_i)`` with
  ``Delta x_i`` found by the attack against the current model.

Inputs are batches ``(n, ...)`` (tensors or arrays); adversarial inputs stay in ``data_range`` (default
``[0, 1]``, the pixel range; ``None`` for unbounded data).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor, nn

from ..config import device as default_device
from ..models import Batch, as_tensors, descend, fit_minibatches

DataRange = tuple[float, float] | None


def _norm(norm) -> str:
    if norm in ("inf", np.inf) and not isinstance(norm, bool):
        return "inf"
    if norm in (2, "2") and not isinstance(norm, bool):
        return "2"
    raise ValueError(f"norm must be 'inf' or 2, got {norm!r}")


def _check(epsilon: float, steps: int | None = None) -> None:
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float, np.integer, np.floating)) \
            or not np.isfinite(epsilon) or epsilon < 0:
        raise ValueError(f"epsilon must be a finite number >= 0, got {epsilon!r}")
    if steps is not None and (isinstance(steps, bool) or int(steps) != steps or steps < 1):
        raise ValueError(f"steps must be a positive integer, got {steps!r}")


def _clip(x: Tensor, data_range: DataRange) -> Tensor:
    return x if data_range is None else x.clamp(*data_range)


def _lp(v: Tensor) -> Tensor:
    """Per-sample l_2 norm, shaped to broadcast against ``v``."""
    return v.flatten(1).norm(dim=1).clamp(min=1e-12).view(-1, *[1] * (v.dim() - 1))


def _project(delta: Tensor, epsilon: float, norm: str) -> Tensor:
    if norm == "inf":
        return delta.clamp(-epsilon, epsilon)
    return delta * (epsilon / _lp(delta)).clamp(max=1.0)


def _ascent(grad: Tensor, norm: str) -> Tensor:
    return grad.sign() if norm == "inf" else grad / _lp(grad)


def _random_start(x: Tensor, epsilon: float, norm: str, gen: torch.Generator) -> Tensor:
    noise = torch.rand(x.shape, generator=gen, dtype=x.dtype).to(x.device) * 2 - 1
    if norm == "2":
        radius = torch.rand(len(x), generator=gen, dtype=x.dtype).to(x.device).view(-1, *[1] * (x.dim() - 1))
        noise = noise / _lp(noise) * radius
    return noise * epsilon


def loss_gradient(model: nn.Module, x, y) -> Tensor:
    """``grad_x J(theta, x, y)`` of the cross-entropy, one row per input."""
    x, y = as_tensors(x, y, model=model)
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(nn.functional.cross_entropy(model(x), y, reduction="sum"), x)
    return grad


def fgsm(model: nn.Module, x, y, epsilon: float, *, data_range: DataRange = (0.0, 1.0)) -> Tensor:
    """Fast gradient sign method: ``x + epsilon sign(grad_x J(theta, x, y))`` (Goodfellow et al. 2015)."""
    _check(epsilon)
    x, y = as_tensors(x, y, model=model)
    return _clip(x + epsilon * loss_gradient(model, x, y).sign(), data_range)


def linear_regions(model: nn.Sequential, X) -> np.ndarray:
    """An id per row of ``X`` for its ReLU activation pattern: a ReLU network is affine on each such region."""
    z = as_tensors(X, model=model)
    patterns = []
    with torch.no_grad():
        for layer in model:
            if isinstance(layer, nn.ReLU):
                patterns.append((z > 0).flatten(1))
            z = layer(z)
    if not patterns:
        return np.zeros(len(z), dtype=np.int64)
    _, ids = np.unique(torch.cat(patterns, 1).cpu().numpy(), axis=0, return_inverse=True)
    return ids.reshape(-1)


def _descend(model: nn.Module, x: Tensor, objective: Callable[[Tensor], Tensor], epsilon: float, norm: str,
             steps: int, step_size: float | None, random_start: bool, data_range: DataRange,
             seed: int) -> tuple[Tensor, Tensor]:
    """Projected gradient descent on a per-sample ``objective(logits)``; returns the best inputs and values seen."""
    alpha = 2.5 * epsilon / steps if step_size is None else step_size
    gen = torch.Generator().manual_seed(seed)
    delta = _random_start(x, epsilon, norm, gen) if random_start else torch.zeros_like(x)
    delta = _clip(x + delta, data_range) - x
    best_x, best = x.clone(), torch.full((len(x),), torch.inf, dtype=x.dtype, device=x.device)
    for step in range(steps + 1):
        delta.requires_grad_(True)
        values = objective(model(x + delta))
        with torch.no_grad():
            better = values < best
            best = torch.where(better, values, best)
            best_x[better] = (x + delta)[better]
        if step == steps:
            break
        (grad,) = torch.autograd.grad(values.sum(), delta)
        with torch.no_grad():
            delta = _project(delta - alpha * _ascent(grad, norm), epsilon, norm)
            delta = _clip(x + delta, data_range) - x
    return best_x.detach(), best.detach()


def minimize_margin(model: nn.Module, x, c, epsilon: float, *, norm="inf", steps: int = 40,
                    step_size: float | None = None, restarts: int = 1, data_range: DataRange = (0.0, 1.0),
                    seed: int = 0) -> tuple[Tensor, Tensor]:
    """PGD on ``min c^T f(x + Delta x)`` s.t. ``||Delta x||_p <= epsilon``; ``c`` has shape (n, classes).

    Returns the best adversarial inputs and their values ``c^T f`` (an upper bound on the true minimum,
    which a certified lower bound must not exceed). ``restarts`` adds random starts after a start at ``x``.
    """
    norm = _norm(norm)
    _check(epsilon, steps)
    x = as_tensors(x, model=model)
    c = as_tensors(c, model=model)
    if c.shape[0] != len(x):
        raise ValueError(f"c must have one row per input: got {c.shape[0]} rows for {len(x)} inputs")
    best_x, best = None, None
    for restart in range(restarts):
        xs, vs = _descend(model, x, lambda z: (c * z).sum(1), epsilon, norm, steps, step_size, restart > 0,
                          data_range, seed + restart)
        if best is None:
            best_x, best = xs, vs
        else:
            better = vs < best
            best, best_x[better] = torch.where(better, vs, best), xs[better]
    return best_x, best


def targeted_attack(model: nn.Module, x, y, target, epsilon: float, *, norm="inf", steps: int = 40,
                    step_size: float | None = None, data_range: DataRange = (0.0, 1.0), seed: int = 0) -> Tensor:
    """The slide's targeted attack: minimise ``e_{y*}^T z_hat - e_targ^T z_hat`` s.t. ``||Delta x||_p <= epsilon``."""
    x, y = as_tensors(x, y, model=model)
    target = torch.as_tensor(np.asarray(target) if not isinstance(target, Tensor) else target).to(y.device).long()
    target = target.expand_as(y) if target.dim() == 0 else target
    with torch.no_grad():
        n_classes = model(x[:1]).shape[1]
    if target.shape != y.shape or target.min() < 0 or target.max() >= n_classes:
        raise ValueError(f"target must be one class in [0, {n_classes - 1}] or one per input")
    eye = torch.eye(n_classes, dtype=x.dtype, device=x.device)
    x_adv, _ = minimize_margin(model, x, eye[y] - eye[target], epsilon, norm=norm, steps=steps, step_size=step_size,
                               data_range=data_range, seed=seed)
    return x_adv


def pgd(model: nn.Module, x, y, epsilon: float, *, norm="inf", steps: int = 40, step_size: float | None = None,
        random_start: bool = True, data_range: DataRange = (0.0, 1.0), seed: int = 0) -> Tensor:
    """Projected gradient ascent on the cross-entropy within ``||Delta x||_p <= epsilon`` (Madry et al. 2018)."""
    norm = _norm(norm)
    _check(epsilon, steps)
    x, y = as_tensors(x, y, model=model)
    loss = lambda z: -nn.functional.cross_entropy(z, y, reduction="none")  # noqa: E731 - descend on -loss
    x_adv, _ = _descend(model, x, loss, epsilon, norm, steps, step_size, random_start, data_range, seed)
    return x_adv


ATTACKS = {"fgsm": fgsm, "pgd": pgd}


def adversarial_error(model: nn.Module, X, y, epsilon: float, attack: str = "pgd", *, batch_size: int = 250,
                      **options) -> float:
    """Fraction of samples misclassified either as given or after the attack (robust error against it)."""
    if attack not in ATTACKS:
        raise ValueError(f"unknown attack {attack!r}; choose one of {', '.join(ATTACKS)}")
    model.eval()
    X, y = as_tensors(X, y, model=model)
    wrong = 0
    for start in range(0, len(X), batch_size):
        xb, yb = X[start:start + batch_size], y[start:start + batch_size]
        x_adv = ATTACKS[attack](model, xb, yb, epsilon, **options)
        with torch.no_grad():
            wrong += int(((model(xb).argmax(1) != yb) | (model(x_adv).argmax(1) != yb)).sum())
    return wrong / len(X)


def adversarial_train(model: nn.Module, X, y, epsilon: float, *, attack: str = "pgd", epochs: int = 10,
                      batch_size: int = 50, lr: float = 1e-3, steps: int = 7, norm="inf",
                      data_range: DataRange = (0.0, 1.0), seed: int = 0, progress: bool = True,
                      device: torch.device | None = None) -> nn.Module:
    """``min_theta sum_i L(f_theta(x_i + Delta x_i), y_i)``, ``Delta x_i`` from FGSM or PGD against the current
    model (Goodfellow et al. 2015; Madry et al. 2018); Adam on seeded mini-batches, returns the model in eval mode."""
    if attack not in ATTACKS:
        raise ValueError(f"unknown attack {attack!r}; choose one of {', '.join(ATTACKS)}")
    _check(epsilon, steps)
    options = {"data_range": data_range}
    if attack == "pgd":
        options.update(norm=norm, steps=steps)
    model.to(device or default_device())
    X, y = as_tensors(X, y, model=model)
    opt = torch.optim.Adam(model.parameters(), lr=lr)

    def step(batch: Batch) -> None:
        model.eval()  # attack the current weights without touching any training-mode state
        if attack == "pgd":
            options["seed"] = seed + batch.epoch * len(X) + batch.start
        x_adv = ATTACKS[attack](model, X[batch.index], y[batch.index], epsilon, **options)
        model.train()
        descend(opt, nn.functional.cross_entropy(model(x_adv), y[batch.index]))

    fit_minibatches(step, len(X), epochs=epochs, batch_size=batch_size, seed=seed, device=X.device,
                    progress=progress, desc=f"{attack} adversarial training")
    return model.eval()


def minimize_objective(model: nn.Module, x, objective: Callable[[Tensor], Tensor], epsilon: float, *, norm="inf",
                       steps: int = 40, step_size: float | None = None, random_start: bool = False,
                       data_range: DataRange = (0.0, 1.0), seed: int = 0) -> tuple[Tensor, Tensor]:
    """PGD on any per-sample ``objective(model(x + Delta x))`` (shape (n,)) s.t. ``||Delta x||_p <= epsilon``.

    The iteration of ``pgd`` (Madry et al. 2018, Sec. 2.1) for a custom loss, as in the adaptive attacks of
    Carlini & Wagner (AISec 2017) and Athalye et al. (ICML 2018). Returns the inputs with the lowest value seen
    per sample, and those values.
    """
    norm = _norm(norm)
    _check(epsilon, steps)
    x = as_tensors(x, model=model)
    return _descend(model, x, objective, epsilon, norm, steps, step_size, random_start, data_range, seed)
