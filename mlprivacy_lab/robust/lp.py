"""The primal problem as a linear program, and the exact minimum as a mixed-integer program (Wong & Kolter 2018).

Section 3.1 of the paper relaxes ``min c^T z_k`` over ``z_1`` in the box, ``z_hat_{i+1} = W_i z_i + b_i``,
``z_{i+1} = ReLU(z_hat_{i+1})`` by replacing every crossing ReLU (``l < 0 < u``) by a convex set (Eq. 3):

- ``"triangle"``: the convex hull ``z >= 0, z >= z_hat, (u - l) z <= u (z_hat - l)``;
- ``"parallel"``: the strip ``d z_hat <= z <= d (z_hat - l)`` with ``d = u / (u - l)``, the relaxation whose
  optimum the dual network's fixed slopes attain (its dual is exactly ``J`` of Theorem 1).

Units with ``u <= 0`` are ``z = 0``, units with ``l >= 0`` are ``z = z_hat``. The bounds ``l, u`` are those
that ``DualNetwork`` computes (Algorithm 1), so the three numbers are comparable:
``J = parallel LP <= triangle LP <= exact minimum``. ``exact_minimum`` adds one binary per crossing unit
(the big-M encoding of Tjeng, Xiao & Tedrake, ICLR 2019, Eq. 6) and solves the MILP with ``scipy.optimize.milp``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from torch import Tensor, nn

from ..models import as_tensors
from .dual_network import DualNetwork, check_objective_shape, flat_layers, input_box

RELAXATIONS = ("triangle", "parallel")
LP_LAYERS = "Linear, ReLU, Flatten"
MAX_LP_VARIABLES = 5000


class _Program:
    """Variables, linear constraints and the binaries of one sample's relaxed network, built layer by layer."""

    def __init__(self, lo: np.ndarray, hi: np.ndarray) -> None:
        self.lower, self.upper = list(lo), list(hi)
        self.eq_rows: list[dict[int, float]] = []
        self.eq_rhs: list[float] = []
        self.ub_rows: list[dict[int, float]] = []
        self.ub_rhs: list[float] = []

    def new(self, n: int, lower: float = -np.inf, upper: float = np.inf) -> np.ndarray:
        start = len(self.lower)
        self.lower += [lower] * n
        self.upper += [upper] * n
        return np.arange(start, start + n)

    def matrix(self, rows: list[dict[int, float]]) -> sp.csr_matrix:
        data = [(r, col, v) for r, row in enumerate(rows) for col, v in row.items()]
        r, col, v = zip(*data) if data else ((), (), ())
        return sp.csr_matrix((v, (r, col)), shape=(len(rows), len(self.lower)))


def _build(layers: list[nn.Module], bounds: list[tuple[np.ndarray, np.ndarray]], lo: np.ndarray, hi: np.ndarray,
           relaxation: str, binaries: bool) -> tuple[_Program, np.ndarray, list[int]]:
    """The program of one sample; returns it, the indices of the output variables and those of the binaries."""
    prog = _Program(lo, hi)
    current = np.arange(len(lo))
    relu = iter(bounds)
    integers: list[int] = []
    for layer in layers:
        if isinstance(layer, nn.Flatten):
            continue
        if isinstance(layer, nn.Linear):
            W = layer.weight.detach().double().cpu().numpy()
            b = np.zeros(W.shape[0]) if layer.bias is None else layer.bias.detach().double().cpu().numpy()
            out = prog.new(W.shape[0])
            for j in range(W.shape[0]):  # z_hat_j - W_j z = b_j
                row = {int(k): -float(w) for k, w in zip(current, W[j]) if w != 0}
                row[int(out[j])] = 1.0
                prog.eq_rows.append(row)
                prog.eq_rhs.append(float(b[j]))
            current = out
            continue
        l, u = next(relu)
        out = prog.new(len(current))
        for j, (zh, z) in enumerate(zip(current, out)):
            zh, z, lj, uj = int(zh), int(z), float(l[j]), float(u[j])
            if uj <= 0:
                prog.lower[z] = prog.upper[z] = 0.0
            elif lj >= 0:
                prog.eq_rows.append({z: 1.0, zh: -1.0})
                prog.eq_rhs.append(0.0)
            elif binaries:  # z >= 0, z >= z_hat, z <= u s, z <= z_hat - l (1 - s), s in {0, 1}
                prog.lower[z] = 0.0
                s = int(prog.new(1, 0.0, 1.0)[0])
                integers.append(s)
                prog.ub_rows += [{zh: 1.0, z: -1.0}, {z: 1.0, s: -uj}, {z: 1.0, zh: -1.0, s: -lj}]
                prog.ub_rhs += [0.0, 0.0, -lj]
            elif relaxation == "triangle":  # z >= 0, z >= z_hat, (u - l) z - u z_hat <= -u l
                prog.lower[z] = 0.0
                prog.ub_rows += [{zh: 1.0, z: -1.0}, {z: uj - lj, zh: -uj}]
                prog.ub_rhs += [0.0, -uj * lj]
            else:  # d z_hat <= z <= d z_hat - d l
                d = uj / (uj - lj)
                prog.ub_rows += [{zh: d, z: -1.0}, {z: 1.0, zh: -d}]
                prog.ub_rhs += [0.0, -d * lj]
        current = out
    return prog, current, integers


def _check_lp_model(model: nn.Sequential, x: Tensor, max_variables: int) -> list[nn.Module]:
    layers = flat_layers(model)
    for i, layer in enumerate(layers):
        if not isinstance(layer, (nn.Linear, nn.ReLU, nn.Flatten)):
            raise ValueError(f"layer {i} ({type(layer).__name__}) is not supported by the LP; supported layers: "
                             f"{LP_LAYERS} (use lower_bound for convolutional networks)")
    # the input, one z_hat per Linear output and one z per ReLU (of the size of the Linear output before it)
    sizes = [layer.out_features for layer in layers if isinstance(layer, nn.Linear)]
    n_relu = sum(1 for layer in layers if isinstance(layer, nn.ReLU))
    n_vars = int(np.prod(x.shape[1:])) + sum(sizes) + sum(sizes[:n_relu])
    if n_vars > max_variables:
        raise ValueError(f"the LP of this network has {n_vars} variables per sample, more than max_variables="
                         f"{max_variables}: use lower_bound (the dual network) for large networks, or raise "
                         "max_variables if you accept a slow solve")
    return layers


def _solve(model: nn.Sequential, x, epsilon: float, c, relaxation: str, data_range: tuple[float, float] | None,
           max_variables: int, binaries: bool) -> Tensor:
    if relaxation not in RELAXATIONS:
        raise ValueError(f"relaxation must be one of {RELAXATIONS}, got {relaxation!r}")
    x = as_tensors(x, model=model)
    c = as_tensors(c, model=model)
    layers = _check_lp_model(model, x, max_variables)
    lo, hi = input_box(x, epsilon, data_range)
    with torch.no_grad():
        dual = DualNetwork(model, lo, hi)
    check_objective_shape(c, x.shape[0], dual.out_features)
    c3 = (c.unsqueeze(1) if c.dim() == 2 else c).detach().double().cpu().numpy()
    out = np.zeros(c3.shape[:2])
    for i in range(x.shape[0]):
        bounds = [(l[i].flatten().double().cpu().numpy(), u[i].flatten().double().cpu().numpy())
                  for l, u in dual.bounds]
        prog, output, integers = _build(layers, bounds, lo[i].flatten().double().cpu().numpy(),
                                        hi[i].flatten().double().cpu().numpy(), relaxation, binaries)
        A_eq, A_ub = prog.matrix(prog.eq_rows), prog.matrix(prog.ub_rows)
        for k, ck in enumerate(c3[i]):
            cost = np.zeros(len(prog.lower))
            cost[output] = ck
            if binaries:
                integrality = np.zeros(len(cost))
                integrality[integers] = 1
                constraints = [LinearConstraint(A_eq, prog.eq_rhs, prog.eq_rhs)]
                if prog.ub_rows:
                    constraints.append(LinearConstraint(A_ub, -np.inf, prog.ub_rhs))
                res = milp(cost, constraints=constraints, integrality=integrality,
                           bounds=Bounds(prog.lower, prog.upper))
            else:
                res = linprog(cost, A_ub=A_ub if prog.ub_rows else None, b_ub=prog.ub_rhs or None, A_eq=A_eq,
                              b_eq=prog.eq_rhs, bounds=list(zip(prog.lower, prog.upper)), method="highs")
            if res.status != 0:
                raise RuntimeError(f"the solver failed on sample {i}, objective {k}: {res.message}")
            out[i, k] = res.fun
    result = torch.as_tensor(out, dtype=x.dtype)
    return result.squeeze(1) if c.dim() == 2 else result


def lp_lower_bound(model: nn.Sequential, x, epsilon: float, c, relaxation: str = "triangle", *,
                   data_range: tuple[float, float] | None = None, max_variables: int = MAX_LP_VARIABLES) -> Tensor:
    """Optimum of the relaxed primal LP ``min c^T z_k`` (Wong & Kolter 2018, Eq. 3) over ``||delta||_inf <= epsilon``.

    Same shapes as ``lower_bound``: ``x`` (batch, ...), ``c`` (batch, classes) or (batch, m, classes); returns
    (batch,) or (batch, m). ``relaxation="triangle"`` (the convex hull of each crossing ReLU) or ``"parallel"``
    (the strip of the dual network's fixed slopes, whose optimum equals ``lower_bound``). Fully connected
    networks only (Linear, ReLU, Flatten), at most ``max_variables`` LP variables per sample.
    """
    return _solve(model, x, epsilon, c, relaxation, data_range, max_variables, binaries=False)


def exact_minimum(model: nn.Sequential, x, epsilon: float, c, *, data_range: tuple[float, float] | None = None,
                  max_variables: int = MAX_LP_VARIABLES) -> Tensor:
    """The exact ``min c^T f(x + delta)`` over ``||delta||_inf <= epsilon``, as a MILP with one binary per crossing
    ReLU (Tjeng, Xiao & Tedrake, ICLR 2019, Eq. 6) over the dual network's bounds ``l, u``. Shapes as
    ``lp_lower_bound``; exponential in the worst case, so for small networks only."""
    return _solve(model, x, epsilon, c, "triangle", data_range, max_variables, binaries=True)
