"""The label-only attack: only labels, counted queries; beats chance on an overfit target, chance otherwise."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from mlprivacy_lab.api import PredictionAPI
from mlprivacy_lab.attacks import label_only as lo
from mlprivacy_lab.attacks import membership as mia

from conftest import POOL



def test_shifts_are_the_translations_within_the_l1_ball():
    assert sorted(lo.shifts(1)) == [(-1, 0), (0, -1), (0, 1), (1, 0)]
    assert len(lo.shifts(2)) == 12 and (0, 0) not in lo.shifts(2) and lo.shifts(0) == []


@pytest.mark.parametrize("dy, dx", [(1, 0), (0, -2), (-1, 1), (2, 2)])
def test_translate_matches_a_pixel_by_pixel_reference(dy, dx):
    images = np.random.default_rng(0).random((3, 5, 6)).astype(np.float32)
    expected = np.zeros_like(images)
    for i in range(5):
        for j in range(6):
            if 0 <= i - dy < 5 and 0 <= j - dx < 6:
                expected[:, i, j] = images[:, i - dy, j - dx]
    np.testing.assert_array_equal(lo.translate(images, dy, dx), expected)


def test_robustness_uses_labels_only_and_counts_every_query(mnist):
    X, y = mnist
    model = LogisticRegression(max_iter=200).fit(X[:300], y[:300])
    perturbations = lo.Perturbations(n_noise=7, sigma=0.3, max_shift=1, seed=3)
    assert perturbations.per_record == 1 + 4 + 7
    api = PredictionAPI(model, 10, mode="label")
    scores = lo.robustness(api, X[:50], y[:50], perturbations, batch_records=16)
    assert api.queries == 50 * perturbations.per_record
    expected = (model.predict(perturbations.of(X[:50]).reshape(-1, 784)).reshape(50, -1) == y[:50, None]).mean(1)
    np.testing.assert_allclose(scores, expected)
    # what a full endpoint adds (confidences) the attack never reads
    np.testing.assert_array_equal(lo.robustness(PredictionAPI(model, 10), X[:50], y[:50], perturbations), scores)
    assert perturbations.of(X[:2])[:, 0].tolist() == X[:2].tolist()  # the clean record is the first query


def test_label_only_beats_chance_on_an_overfit_target(experiment):
    attack = lo.LabelOnlyAttack()
    result = attack.run(experiment)
    stats = result.summary()
    assert stats["auc"] > 0.6 and stats["advantage"] > 0.1, stats
    assert result.target_queries == 2 * POOL * attack.perturbations.per_record
    assert lo.queries_per_record(result, experiment) == attack.perturbations.per_record
    assert stats["n_members"] == stats["n_nonmembers"] == POOL
    uncalibrated = lo.LabelOnlyAttack(calibrate=False).run(experiment).summary()
    assert uncalibrated["auc"] > 0.55  # the paper's plain threshold on robustness works too, less well


def test_label_only_sits_at_chance_when_members_were_never_used(experiment, mnist):
    X, y = mnist
    train_fn = mia.mlp_train_fn(784, 10, hidden=(128,), epochs=30)
    keep = mia.complementary_halves(4, POOL, seed=7)
    outsiders = mia.train_models(X[POOL:], y[POOL:], train_fn, keep, seed=50, progress=False)
    # "members" and "non-members" come from the same distribution and neither trained these targets
    unrelated = mia.MembershipExperiment(experiment.X, experiment.y, 10, outsiders, experiment.shadows)
    for calibrate in (True, False):
        auc = lo.LabelOnlyAttack(calibrate=calibrate).run(unrelated).summary()["auc"]
        assert abs(auc - 0.5) <= 0.05, (calibrate, auc)


@pytest.mark.parametrize("options, match", [
    ({"n_noise": -1}, "n_noise must be a non-negative integer"),
    ({"n_noise": 2.5}, "n_noise must be a non-negative integer"),
    ({"sigma": 0.0}, "sigma must be positive"),
    ({"max_shift": -1}, "max_shift must be a non-negative integer"),
    ({"max_shift": 1, "image_shape": None}, "need image_shape"),
    ({"bounds": (1.0, 0.0)}, "low < high"),
])
def test_bad_perturbations_are_refused(options, match):
    with pytest.raises(ValueError, match=match):
        lo.Perturbations(**options)


def test_bad_queries_are_refused(mnist):
    X, y = mnist
    api = PredictionAPI(lambda rows: np.full((len(rows), 10), 0.1), 10, mode="label")
    with pytest.raises(ValueError, match="one label per record"):
        lo.robustness(api, X[:5], y[:4], lo.Perturbations())
    with pytest.raises(ValueError, match="does not match 64 features"):
        lo.Perturbations().of(np.zeros((2, 64)))
    with pytest.raises(ValueError, match="non-empty"):
        lo.Perturbations().of(np.zeros((0, 784)))


def test_many_endpoints_get_the_same_questions_as_one(mnist):
    X, y = mnist
    models = [LogisticRegression(max_iter=200).fit(X[i * 100:(i + 1) * 100], y[i * 100:(i + 1) * 100])
              for i in range(2)]
    perturbations = lo.Perturbations(n_noise=5, seed=1)
    together = lo.robustness([PredictionAPI(m, 10, mode="label") for m in models], X[:30], y[:30], perturbations,
                             batch_records=7)
    alone = [lo.robustness(PredictionAPI(m, 10, mode="label"), X[:30], y[:30], perturbations) for m in models]
    np.testing.assert_array_equal(together, np.stack(alone))
