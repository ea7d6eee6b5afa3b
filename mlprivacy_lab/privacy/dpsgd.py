"""DP-SGD from scratch in torch (Abadi, Chu, Goodfellow, McMahan, Mironov, Talwar & Zhang, CCS 2016, Algorithm 1).

One step: draw a Poisson sample (each record with probability q), compute every per-sample gradient g_i,
clip it to norm C (g_i / max(1, ||g_i|| / C)), sum, add N(0, sigma^2 C^2 I), divide by the expected batch
size qN, and let any torch optimizer take the step. The RDP accountant records (sigma, q) per step.

Two ways to the clipped sum, with the same result:
- ``"vmap"``: per-sample gradients with ``torch.func.vmap(torch.func.grad(...))``; any model.
- ``"ghost"``: for models whose trainable parameters all sit in ``nn.Linear`` layers (the MLPs of chapters
  0-2), no per-sample gradient is materialised. A linear layer's per-sample gradient is the outer product
  delta_i a_i^T of its output gradient and its input, so ||g_i||^2 = ||a_i||^2 ||delta_i||^2 (+ ||delta_i||^2 for
  the bias) (Goodfellow 2015, "Efficient per-example gradient computations"; Li et al., ICLR 2022, "ghost
  clipping"), and the clipped sum is sum_i c_i delta_i a_i^T = (c * Delta)^T A: one matrix product per layer.
  Unlike Opacus's ghost clipping this needs one backward pass, not two, and it never computes the unclipped
  parameter gradients.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from ..config import device as default_device
from ..models import as_tensors, mlp
from .accountants import Accountant, create_accountant, get_noise_multiplier
from .validation import check_count, check_delta, check_noise_multiplier, check_positive, check_sample_rate

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
METHODS = ("auto", "ghost", "vmap")


def per_sample_cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of each sample, shape (batch,): the loss DP-SGD clips per sample."""
    return F.cross_entropy(logits, y, reduction="none")


def per_sample_gradients(model: nn.Module, X: torch.Tensor, y: torch.Tensor,
                         loss_fn: LossFn = per_sample_cross_entropy) -> dict[str, torch.Tensor]:
    """g_i = grad_theta loss(theta; x_i, y_i) for every sample: ``{name: (batch, *param.shape)}``, computed with
    ``torch.func.vmap`` over ``torch.func.grad`` of a functional call on one sample."""
    params = {n: p.detach() for n, p in model.named_parameters() if p.requires_grad}
    buffers = dict(model.named_buffers())

    def sample_loss(p: dict[str, torch.Tensor], x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        logits = torch.func.functional_call(model, (p, buffers), (x.unsqueeze(0),))
        return loss_fn(logits, t.unsqueeze(0)).sum()

    return torch.func.vmap(torch.func.grad(sample_loss), in_dims=(None, 0, 0))(params, X, y)


def clip_factors(norms: torch.Tensor, max_grad_norm: float) -> torch.Tensor:
    """1 / max(1, ||g_i|| / C): the factor that clips each per-sample gradient to norm at most C (Algorithm 1)."""
    return max_grad_norm / norms.clamp(min=max_grad_norm)


def linear_layers(model: nn.Module) -> list[nn.Linear] | None:
    """The model's ``nn.Linear`` layers when they hold every trainable parameter, else None (ghost not applicable)."""
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    in_layers = {id(p) for m in layers for p in m.parameters() if p.requires_grad}
    trainable = {id(p) for p in model.parameters() if p.requires_grad}
    return layers if layers and in_layers == trainable else None


def _vmap_clipped_sum(model: nn.Module, X: torch.Tensor, y: torch.Tensor, max_grad_norm: float,
                      loss_fn: LossFn) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    grads = per_sample_gradients(model, X, y, loss_fn)
    norms = torch.sqrt(sum(g.flatten(1).square().sum(1) for g in grads.values()))
    factor = clip_factors(norms, max_grad_norm)
    return {n: torch.einsum("b,b...->...", factor, g) for n, g in grads.items()}, norms


def _ghost_clipped_sum(model: nn.Module, layers: list[nn.Linear], X: torch.Tensor, y: torch.Tensor,
                       max_grad_norm: float, loss_fn: LossFn) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    taps: list[tuple[nn.Linear, torch.Tensor, torch.Tensor]] = []
    handles = [m.register_forward_hook(lambda m, inputs, out: taps.append((m, inputs[0], out))) for m in layers]
    try:
        losses = loss_fn(model(X), y)
    finally:
        for h in handles:
            h.remove()
    if len(taps) != len(layers) or any(a.dim() != 2 for _, a, _ in taps):
        raise ValueError("method='ghost' needs every nn.Linear layer called once per forward on (batch, features) "
                         "inputs; use method='vmap' for this model")
    deltas = torch.autograd.grad(losses.sum(), [out for _, _, out in taps], allow_unused=True)
    names = {id(p): n for n, p in model.named_parameters()}
    with torch.no_grad():
        deltas = [torch.zeros_like(out) if d is None else d for (_, _, out), d in zip(taps, deltas)]
        sq_norms = torch.zeros(len(X), device=X.device, dtype=X.dtype)
        for (m, a, _), d in zip(taps, deltas):
            d_sq = d.square().sum(1)
            sq_norms += a.square().sum(1) * d_sq + (d_sq if m.bias is not None else 0.0)
        norms = sq_norms.sqrt()
        factor = clip_factors(norms, max_grad_norm)
        clipped: dict[str, torch.Tensor] = {}
        for (m, a, _), d in zip(taps, deltas):
            scaled = d * factor[:, None]
            clipped[names[id(m.weight)]] = scaled.T @ a
            if m.bias is not None:
                clipped[names[id(m.bias)]] = scaled.sum(0)
    return clipped, norms


def clipped_gradient_sum(model: nn.Module, X: torch.Tensor, y: torch.Tensor, max_grad_norm: float,
                         loss_fn: LossFn = per_sample_cross_entropy,
                         method: str = "auto") -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """sum_i g_i / max(1, ||g_i|| / C) over the batch, and the unclipped norms ||g_i||.

    ``method``: ``"ghost"`` (linear-layer models, no per-sample gradients materialised), ``"vmap"``
    (torch.func, any model) or ``"auto"`` (ghost where it applies)."""
    max_grad_norm = check_positive(max_grad_norm, "max_grad_norm")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    layers = linear_layers(model) if method in ("auto", "ghost") else None
    if method == "ghost" and layers is None:
        raise ValueError("method='ghost' needs a model whose trainable parameters are all in nn.Linear layers; "
                         "use method='vmap'")
    if len(X) == 0:
        zeros = {n: torch.zeros_like(p) for n, p in model.named_parameters() if p.requires_grad}
        return zeros, torch.zeros(0, device=X.device)
    if layers is not None:
        return _ghost_clipped_sum(model, layers, X, y, max_grad_norm, loss_fn)
    return _vmap_clipped_sum(model, X, y, max_grad_norm, loss_fn)


def add_noise(clipped_sum: torch.Tensor, noise_multiplier: float, max_grad_norm: float,
              expected_batch_size: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """(sum_i clipped g_i + N(0, sigma^2 C^2 I)) / (qN): the noisy gradient of Algorithm 1, normalised by the
    expected batch size so that the noise does not depend on the sampled batch size."""
    noise = torch.normal(0.0, noise_multiplier * max_grad_norm, clipped_sum.shape, generator=generator,
                         device=clipped_sum.device, dtype=clipped_sum.dtype)
    return (clipped_sum + noise) / expected_batch_size


def poisson_sample(n: int, sample_rate: float, generator: torch.Generator | None = None,
                   device: torch.device | None = None) -> torch.Tensor:
    """Indices of a Poisson sample: each of the n records independently with probability q (the sampling the
    RDP analysis of the sampled Gaussian mechanism assumes). The batch may be empty."""
    keep = torch.rand(n, generator=generator, device=device) < sample_rate
    return keep.nonzero().squeeze(1)


class DPSGD:
    """Differentially private steps for a model and any torch optimizer.

    >>> dp = DPSGD(model, torch.optim.SGD(model.parameters(), lr=0.1), noise_multiplier=1.0,
    ...            max_grad_norm=1.0, sample_rate=256 / 4000, expected_batch_size=256)
    >>> dp.step(X[batch], y[batch])   # batch from poisson_sample; accounts the step
    >>> dp.accountant.get_epsilon(1e-5)
    """

    def __init__(self, model: nn.Module, optimizer: torch.optim.Optimizer, *, noise_multiplier: float,
                 max_grad_norm: float, sample_rate: float, expected_batch_size: float,
                 loss_fn: LossFn = per_sample_cross_entropy, method: str = "auto", seed: int = 0,
                 accountant: str = "rdp") -> None:
        self.model, self.optimizer, self.loss_fn, self.method = model, optimizer, loss_fn, method
        self.noise_multiplier = check_noise_multiplier(noise_multiplier)
        self.max_grad_norm = check_positive(max_grad_norm, "max_grad_norm")
        self.sample_rate = check_sample_rate(sample_rate)
        self.expected_batch_size = check_positive(expected_batch_size, "expected_batch_size")
        self.accountant: Accountant = create_accountant(accountant)
        dev = next(model.parameters()).device
        self.generator = torch.Generator(device=dev).manual_seed(seed)
        self.params = {n: p for n, p in model.named_parameters() if p.requires_grad}

    def step(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """One DP-SGD step on a Poisson batch; returns the unclipped per-sample gradient norms."""
        clipped, norms = clipped_gradient_sum(self.model, X, y, self.max_grad_norm, self.loss_fn, self.method)
        for name, p in self.params.items():
            p.grad = add_noise(clipped[name], self.noise_multiplier, self.max_grad_norm,
                               self.expected_batch_size, self.generator)
        self.optimizer.step()
        self.accountant.step(noise_multiplier=self.noise_multiplier, sample_rate=self.sample_rate)
        return norms


@dataclass
class DPTrainingResult:
    """A DP-SGD run: the model, its accountant and what was used."""

    model: nn.Module
    accountant: Accountant
    noise_multiplier: float
    sample_rate: float
    steps: int
    max_grad_norm: float

    def epsilon(self, delta: float) -> float:
        return self.accountant.get_epsilon(delta)


def train_dpsgd(model: nn.Module, X: np.ndarray, y: np.ndarray, *, epochs: int = 10, batch_size: int = 256,
                sample_rate: float | None = None, noise_multiplier: float | None = None,
                target_epsilon: float | None = None, target_delta: float = 1e-5, max_grad_norm: float = 1.0,
                lr: float = 0.5, optimizer: str = "sgd", method: str = "auto", seed: int = 0, progress: bool = True,
                device: torch.device | None = None) -> DPTrainingResult:
    """Train with DP-SGD for ``epochs`` epochs of Poisson batches of expected size ``batch_size``
    (steps = epochs / q, q = batch_size / n).

    Give either the ``noise_multiplier`` or a ``target_epsilon`` (at ``target_delta``) from which
    ``get_noise_multiplier`` picks it. Under add/remove neighbours n itself is private: pass a public
    ``sample_rate`` to fix q (and so the steps and the normalisation by ``batch_size``) whatever n is.
    ``optimizer``: ``"sgd"`` (Abadi et al.) or ``"adam"`` (DP-Adam: a post-processing of the same noisy
    gradients, so the same guarantee). Returns the model in eval mode."""
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
    if (noise_multiplier is None) == (target_epsilon is None):
        raise ValueError("give exactly one of noise_multiplier or target_epsilon")
    epochs, batch_size = check_count(epochs, "epochs"), check_count(batch_size, "batch_size")
    n = len(X)
    if sample_rate is None and batch_size > n:
        raise ValueError(f"batch_size={batch_size} exceeds the {n} training samples")
    target_delta = check_delta(target_delta, "target_delta")
    q = batch_size / n if sample_rate is None else check_sample_rate(sample_rate)
    steps = max(int(epochs / q), 1)
    if noise_multiplier is None:
        noise_multiplier = get_noise_multiplier(target_epsilon=target_epsilon, target_delta=target_delta,
                                                sample_rate=q, steps=steps)
    optimizers = {"sgd": lambda ps: torch.optim.SGD(ps, lr=lr), "adam": lambda ps: torch.optim.Adam(ps, lr=lr)}
    if optimizer not in optimizers:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(optimizers)}")
    dev = device or default_device()
    model.to(dev).train()
    Xt, yt = as_tensors(X, y, dev)
    dp = DPSGD(model, optimizers[optimizer](model.parameters()), noise_multiplier=noise_multiplier,
               max_grad_norm=max_grad_norm, sample_rate=q, expected_batch_size=batch_size, method=method,
               seed=seed)
    for _ in tqdm(range(steps), desc=f"DP-SGD (sigma={noise_multiplier:.3g})", disable=not progress, leave=False):
        batch = poisson_sample(n, q, dp.generator, dev)
        dp.step(Xt[batch], yt[batch])
    return DPTrainingResult(model.eval(), dp.accountant, float(noise_multiplier), q, steps, float(max_grad_norm))


def dpsgd_train_fn(n_features: int, n_classes: int, hidden: tuple[int, ...] = (256,), *, target_epsilon: float,
                   target_delta: float, sample_rate: float, batch_size: int, epochs: int = 15,
                   max_grad_norm: float = 1.0, lr: float = 0.5, optimizer: str = "sgd",
                   device: torch.device | None = None) -> Callable[[np.ndarray, np.ndarray, int], nn.Module]:
    """A ``train_fn(X, y, seed) -> model`` (the interface of ``mlprivacy_lab.attacks.membership``) that trains
    ``models.mlp`` with ``train_dpsgd`` at a public sample rate to (target_epsilon, target_delta)-DP."""
    noise_multiplier = get_noise_multiplier(target_epsilon=target_epsilon, target_delta=target_delta,
                                            sample_rate=sample_rate, epochs=epochs)

    def train(X: np.ndarray, y: np.ndarray, seed: int) -> nn.Module:
        torch.manual_seed(seed)
        return train_dpsgd(mlp(n_features, n_classes, hidden), X, y, epochs=epochs, batch_size=batch_size,
                           sample_rate=sample_rate, noise_multiplier=noise_multiplier, target_delta=target_delta,
                           max_grad_norm=max_grad_norm, lr=lr, optimizer=optimizer, seed=seed, progress=False,
                           device=device).model

    return train
