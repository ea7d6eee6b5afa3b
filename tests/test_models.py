"""The shared helpers of ``mlprivacy_lab.models``: tensors from arrays, seeded mini-batches, the training loop."""

import numpy as np
import pytest
import torch
from torch import nn

from mlprivacy_lab.models import Batch, as_tensors, descend, fit_minibatches, minibatches, mlp


def test_minibatches_cut_one_seeded_permutation_in_order():
    batches = list(minibatches(10, 4, torch.Generator().manual_seed(3)))
    assert [len(b) for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(torch.cat(batches), torch.randperm(10, generator=torch.Generator().manual_seed(3)))


def test_fit_minibatches_visits_every_row_once_per_epoch_and_averages_the_returned_sums():
    seen: list[Batch] = []
    starts: list[int] = []

    def step(batch: Batch) -> dict[str, float]:
        seen.append(batch)
        return {"rows": float(len(batch.index)), "index_sum": float(batch.index.sum())}

    history = fit_minibatches(step, 7, epochs=2, batch_size=3, seed=1, on_epoch_start=starts.append,
                              on_epoch_end=lambda record: record.update(extra=record["epoch"] * 10))
    assert starts == [0, 1] and [b.step for b in seen] == list(range(6))
    assert [(b.epoch, b.start) for b in seen] == [(0, 0), (0, 3), (0, 6), (1, 0), (1, 3), (1, 6)]
    for epoch in (0, 1):
        rows = torch.cat([b.index for b in seen if b.epoch == epoch])
        assert sorted(rows.tolist()) == list(range(7))
    assert history == [{"epoch": e, "rows": 1.0, "index_sum": 3.0, "extra": 10 * e} for e in (1, 2)]


def test_fit_minibatches_is_seeded():
    def train(seed: int) -> torch.Tensor:
        torch.manual_seed(0)
        model = mlp(3, 2, ())
        X, y = torch.randn(20, 3, generator=torch.Generator().manual_seed(0)), torch.arange(20) % 2
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        fit_minibatches(lambda b: descend(opt, nn.functional.cross_entropy(model(X[b.index]), y[b.index])), 20,
                        epochs=2, batch_size=6, seed=seed)
        return model[0].weight.detach()

    assert torch.equal(train(0), train(0)) and not torch.equal(train(0), train(1))


@pytest.mark.parametrize("kwargs", [{"epochs": 0, "batch_size": 4}, {"epochs": 2, "batch_size": 0},
                                    {"epochs": 1.5, "batch_size": 4}])
def test_fit_minibatches_rejects_bad_schedules(kwargs):
    with pytest.raises(ValueError, match="epochs and batch_size must be positive integers"):
        fit_minibatches(lambda batch: None, 10, **kwargs)
    with pytest.raises(ValueError, match="at least one sample"):
        fit_minibatches(lambda batch: None, 0, epochs=1, batch_size=1)


def test_as_tensors_takes_the_model_dtype_and_checks_the_labels():
    X, y = np.zeros((3, 2)), np.array([0, 1, 1])
    Xt, yt = as_tensors(X, y)
    assert Xt.dtype == torch.float32 and yt.dtype == torch.int64
    model = nn.Linear(2, 2).double()
    assert as_tensors(torch.zeros(3, 2), model=model).dtype == torch.float64
    with pytest.raises(ValueError, match="one label per row"):
        as_tensors(X, y[:2])
    with pytest.raises(ValueError, match="one label per row"):
        as_tensors(X, y[:, None])
    with pytest.raises(ValueError, match="dev or model, not both"):
        as_tensors(X, dev=torch.device("cpu"), model=model)
