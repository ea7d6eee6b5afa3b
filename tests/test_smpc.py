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


def test_epoch_costs_compare_plain_and_shares():
    out = epoch_costs("breast_cancer", epochs=2)
    assert out["secure"]["2_parties"]["seconds_per_epoch"] > out["plain_seconds_per_epoch"]
    assert out["secure"]["3_parties"]["bytes_per_epoch"] > out["secure"]["2_parties"]["bytes_per_epoch"]
    assert out["lecture_seconds_per_epoch"]["SecureML"] == 240.0
