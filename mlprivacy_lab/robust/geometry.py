"""2-D pictures of chapter 10: the reachable set of a tiny network, its convex outer bound and its interval box."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..models import as_tensors
from .dual_network import lower_bound
from .interval import interval_bounds


def reachable_points(model: nn.Sequential, x: np.ndarray, epsilon: float, n: int = 200) -> np.ndarray:
    """Outputs ``f(x + delta)`` on an ``n x n`` grid of the 2-D box ``||delta||_inf <= epsilon``: the true
    reachable set."""
    if np.shape(x) != (2,):
        raise ValueError(f"x must be one 2-D input, got shape {np.shape(x)}")
    g = np.linspace(-epsilon, epsilon, n)
    grid = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2) + np.asarray(x)
    with torch.no_grad():
        return model(as_tensors(grid, model=model)).cpu().numpy()


def outer_polygon(model: nn.Sequential, x: np.ndarray, epsilon: float, n_directions: int = 180) -> np.ndarray:
    """Vertices of ``{y : c^T y >= J(c)}`` over ``n_directions`` unit vectors ``c``, for a network with 2 outputs.

    Every half-plane holds the reachable set, since ``J(c)`` is a certified lower bound of ``c^T f``; with
    the slopes fixed at ``u / (u - l)``, ``J`` is the support function of a convex set, so consecutive
    boundary lines meet at the vertices of a polygon that contains it (and tends to it as directions grow).
    """
    angles = np.linspace(0, 2 * np.pi, n_directions, endpoint=False)
    c = np.stack([np.cos(angles), np.sin(angles)], 1)
    with torch.no_grad():
        J = lower_bound(model, np.repeat(np.asarray(x)[None], n_directions, 0), epsilon, c).cpu().numpy()
    nxt = np.roll(np.arange(n_directions), -1)
    A = np.stack([c, c[nxt]], 1)  # solve c_k^T y = J_k, c_{k+1}^T y = J_{k+1}
    return np.linalg.solve(A, np.stack([J, J[nxt]], 1)[..., None])[..., 0]


def interval_box(model: nn.Sequential, x: np.ndarray, epsilon: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper corners of the interval bound on the output."""
    lo, hi = interval_bounds(model, np.asarray(x)[None], epsilon)[-1]
    return lo[0].detach().cpu().numpy(), hi[0].detach().cpu().numpy()


def polygon_area(vertices: np.ndarray) -> float:
    """Shoelace formula."""
    x, y = vertices[:, 0], vertices[:, 1]
    return float(0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def inside_polygon(points: np.ndarray, vertices: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """True for points inside a convex polygon whose vertices run counter-clockwise."""
    edges = np.roll(vertices, -1, 0) - vertices
    rel = points[:, None, :] - vertices[None]
    cross = edges[None, :, 0] * rel[..., 1] - edges[None, :, 1] * rel[..., 0]
    return np.all(cross >= -tol, axis=1)
