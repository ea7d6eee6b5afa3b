"""Secure SGD on secret-shared data agrees with the same algorithm in plaintext; the epoch costs add up."""

import numpy as np
import pytest

from mlprivacy_lab.crypto.secret_sharing import SMPCSession
from mlprivacy_lab.data import standardized_binary_task
from mlprivacy_lab.protocols.smpc import PlainLinearModel, SecureLinearModel, hospital_split, piecewise_sigmoid
from mlprivacy_lab.protocols.smpc.costs import epoch_costs
from mlprivacy_lab.protocols.smpc.training import _secure_sigmoid


def test_secure_piecewise_sigmoid_matches_plaintext():
    s = SMPCSession(2, 13)
    u = np.array([-5.0, -0.5001, -0.5, -0.2, 0.0, 0.3, 0.5, 0.5001, 9.0]).reshape(-1, 1)
    got = s.reconstruct(_secure_sigmoid(s.share(u)))
    assert np.allclose(got, piecewise_sigmoid(u), atol=2.0 ** -12)


@pytest.mark.parametrize("kind,n_parties", [("logistic", 2), ("logistic", 3), ("linear", 2)])
def test_secure_training_agrees_with_plaintext(kind, n_parties):
    X, y, X_te, y_te = standardized_binary_task("breast_cancer")
    kwargs = dict(kind=kind, epochs=3, batch_size=32, learning_rate=0.25 if kind == "logistic" else 0.125)
    plain = PlainLinearModel(**kwargs).fit(X, y)
    secure = SecureLinearModel(n_parties=n_parties, **kwargs).fit(*hospital_split(X, y, n_parties))
    # fixed-point error: 2^-13 per rounding, a few hundred steps
    assert np.abs(secure.coef_ - plain.coef_).max() < 0.01
    assert abs(secure.intercept_ - plain.intercept_) < 0.01
    assert np.abs(secure.decision_function(X_te) - plain.decision_function(X_te)).max() < 0.05
    if kind == "logistic":
        acc_plain = (plain.predict(X_te) == y_te).mean()
        assert acc_plain > 0.9 and abs((secure.predict(X_te) == y_te).mean() - acc_plain) <= 0.02
    assert secure.stats_["triples"] > 0 and secure.stats_["rounds"] > 0
    assert len(secure.epoch_stats_) == 3 and secure.epoch_stats_[0]["bytes_sent"] > 0


def test_plaintext_reference_is_the_formula():
    X = np.array([[1.0, 2.0], [0.5, -1.0]])
    y = np.array([1.0, 0.0])
    m = PlainLinearModel("linear", epochs=1, batch_size=2, learning_rate=1.0).fit(X, y)
    Xb = np.hstack([X, np.ones((2, 1))])
    w = -0.5 * Xb.T @ (Xb @ np.zeros(3) - y)
    assert np.allclose(np.r_[m.coef_, m.intercept_], w)


def test_training_input_errors():
    with pytest.raises(ValueError, match="power of two"):
        PlainLinearModel(learning_rate=0.3, batch_size=32)
    with pytest.raises(ValueError, match="kind"):
        SecureLinearModel(kind="svm")
    with pytest.raises(ValueError, match="one \\(X, y\\) block per party"):
        SecureLinearModel(n_parties=3).fit([np.ones((2, 2))], [np.ones(2)])
    with pytest.raises(ValueError, match="same columns"):
        SecureLinearModel().fit([np.ones((2, 2)), np.ones((2, 3))], [np.ones(2), np.ones(2)])
    with pytest.raises(ValueError, match="not fitted"):
        PlainLinearModel().predict(np.ones((1, 2)))
    with pytest.raises(ValueError, match="n_parties"):
        hospital_split(np.ones((3, 1)), np.ones(3), 1)


def test_public_clips_bound_the_weights_and_residuals_in_both_models():
    """Projected SGD onto [-weight_bound, weight_bound] and the Huber residual clip run in both models, so
    they still agree when the clips are active (a large step makes them so)."""
    X, y, _, _ = standardized_binary_task("breast_cancer")
    X, y = X[:96], y[:96]
    kwargs = dict(kind="linear", epochs=2, batch_size=32, learning_rate=4.0, weight_bound=0.25, residual_bound=0.5)
    plain = PlainLinearModel(**kwargs).fit(X, y)
    secure = SecureLinearModel(**kwargs).fit(*hospital_split(X, y, 2))
    w = np.r_[plain.coef_, plain.intercept_]
    assert np.abs(w).max() == 0.25 and np.abs(np.r_[secure.coef_, secure.intercept_]).max() <= 0.25
    assert np.abs(secure.coef_ - plain.coef_).max() < 0.01
    assert 0 < secure.stats_["truncation_failure"] < 1e-4


def test_step_is_validated_at_construction():
    for lr, bs in ((32, 32), (64, 32)):
        with pytest.raises(ValueError, match="learning_rate / batch_size .* must lie in"):
            SecureLinearModel(learning_rate=lr, batch_size=bs)
    assert PlainLinearModel(learning_rate=32, batch_size=32).step_shift == 0  # plaintext: any power of two
    for bad in (dict(learning_rate=float("nan")), dict(learning_rate=-1.0), dict(weight_bound=0.0),
                dict(residual_bound=float("inf"))):
        with pytest.raises(ValueError, match="must be a positive finite number"):
            PlainLinearModel(**bad)


def test_fit_checks_rows_labels_and_values():
    with pytest.raises(ValueError, match="one label per row"):
        PlainLinearModel().fit(np.ones((4, 2)), np.ones(5))
    with pytest.raises(ValueError, match="labels in \\[0, 1\\]"):
        SecureLinearModel().fit([np.ones((2, 2)), np.ones((2, 2))], [np.ones(2), np.array([0.0, 3.0])])
    with pytest.raises(ValueError, match="finite"):
        PlainLinearModel().fit(np.array([[np.nan, 1.0]]), np.ones(1))
    with pytest.raises(ValueError, match="one label per row"):
        hospital_split(np.ones((3, 1)), np.ones(4), 2)


def test_epoch_costs_compare_plain_and_shares():
    out = epoch_costs("breast_cancer", epochs=2)
    for n in ("2_parties", "3_parties"):  # SecureML failure bounds, summed: far below the 1e-2 per epoch
        row = out["secure"][n]
        assert 0 < row["truncation_failure_per_epoch"] < 1e-5 and row["truncations_per_epoch"] > 0
        per_epoch, total = row["truncation_failure_per_epoch"], row["truncation_failure_total"]
        assert per_epoch < total <= 2 * per_epoch
    assert out["secure"]["2_parties"]["seconds_per_epoch"] > out["plain_seconds_per_epoch"]
    assert out["secure"]["3_parties"]["bytes_per_epoch"] > out["secure"]["2_parties"]["bytes_per_epoch"]
    assert out["lecture_seconds_per_epoch"]["SecureML"] == 240.0


def test_secure_training_on_standardized_mnist01():
    """784 standardised pixels (|x| up to ~28): the public bounds still let SGD run, and the union bound over
    every truncated value stays far below the 1e-2 per epoch a run may spend."""
    X, y, X_te, y_te = standardized_binary_task("mnist01")
    X, y = X[:192], y[:192]
    kwargs = dict(kind="logistic", epochs=1, batch_size=32, learning_rate=0.25)
    plain = PlainLinearModel(**kwargs).fit(X, y)
    secure = SecureLinearModel(**kwargs).fit(*hospital_split(X, y, 2))
    assert np.abs(secure.coef_ - plain.coef_).max() < 0.01
    assert (secure.predict(X_te) == y_te).mean() > 0.95
    assert 0 < secure.epoch_stats_[0]["truncation_failure"] < 1e-3
