"""Private PCA: agreement with sklearn, what each party sees, the mask, and clear errors."""

import numpy as np
import pytest
from sklearn.decomposition import PCA

from mlprivacy_lab.crypto.paillier import EncryptedArray, InsecureKeyWarning, generate_keypair
from mlprivacy_lab.data import load_dataset
from mlprivacy_lab.protocols.private_pca import (CryptoServiceProvider, DataOwner, DataUser, PrivatePCA,
                                                 ShareFormat, pca_share, share_length)

FMT = ShareFormat()


@pytest.fixture(scope="module")
def owners():
    X = load_dataset("wine").X_train[:, :4].astype(np.float64)
    X = (X - X.mean(0)) / X.std(0) / 2  # a public rescaling for the test, within feature_bound
    return [X[:40], X[40:90], X[90:]]


@pytest.fixture(scope="module")
def csp():
    return CryptoServiceProvider(1024, insecure_demo=True)  # 1024 bits keep the tests fast


@pytest.fixture(scope="module")
def fitted(owners, csp):
    return PrivatePCA(3, sweeps=5).fit(owners, csp=csp)


def test_matches_sklearn(owners, fitted):
    X = np.vstack(owners)
    ref = PCA(3).fit(X)
    cosines = np.abs(np.sum(fitted.components_ * ref.components_, axis=1))
    assert np.all(cosines > 1 - 1e-5), cosines
    assert np.allclose(fitted.explained_variance_, ref.explained_variance_, rtol=1e-4)
    assert np.allclose(fitted.explained_variance_ratio_, ref.explained_variance_ratio_, atol=1e-5)
    assert np.allclose(fitted.mean_, ref.mean_, atol=1e-8)
    ours, theirs = fitted.transform(X), ref.transform(X)
    assert np.allclose(np.abs(ours), np.abs(theirs), atol=1e-3)
    assert 1 <= fitted.costs_["sweeps"] <= fitted.costs_["max_sweeps"] == 5 and fitted.costs_["and_gates"] > 0


def test_costs_report_the_offline_mask_the_message_log_and_the_circuit_depth(fitted, owners):
    costs = fitted.costs_
    assert costs["du_mask_offline_s"] > 0 and costs["du_collect_add_s"] > 0
    assert costs["sequential_layers"] > 1000 and costs["and_gates"] > 100 * costs["sequential_layers"]
    assert costs["s_per_sweep"] == pytest.approx(costs["du_pca_gc_s"] / costs["sweeps"])
    senders = [(m["from"], m["to"]) for m in costs["messages"]]
    assert senders == [(f"DO {i + 1}", "DU") for i in range(len(owners))] + [("DU", "CSP"), ("CSP", "DU"),
                                                                          ("DU", "CSP")]
    ciphertext_bytes = 2 * 1024 // 8  # the fixture's 1024-bit key: ciphertexts modulo n^2
    assert costs["messages"][0]["bytes"] == costs["ciphertexts_per_owner"] * ciphertext_bytes
    assert costs["messages"][-2]["bytes"] >= 32 * costs["and_gates"]  # the garbled tables, 32 bytes per AND


def test_components_are_orthonormal(fitted):
    assert np.allclose(fitted.components_ @ fitted.components_.T, np.eye(3), atol=1e-5)


def test_aggregate_is_masked_and_unmasks_to_the_pooled_share(owners, csp):
    shares = [DataOwner(X, FMT).encrypted_share(csp.public_key) for X in owners]
    du = DataUser(FMT)
    masked = csp.decrypt(du.collect(shares, csp.public_key))
    pooled = (masked - du.mask).view(np.uint64).astype(np.int64)  # modulo 2^64, as in the circuit
    expected = np.array(FMT.encode(pca_share(np.vstack(owners))), dtype=np.int64)
    assert np.max(np.abs(pooled - expected)) <= len(owners)  # one rounding per owner
    assert len(masked) == share_length(4)
    # the CSP's view differs from the sum in every entry, and a second mask gives a different view
    assert np.all(masked != expected)
    again = csp.decrypt(du.collect(shares, csp.public_key))
    assert np.all(again != masked)


def test_mask_range_hides_the_sum_statistically():
    assert FMT.mask_bits - FMT.sum_bits == FMT.sigma == 40
    largest = FMT.max_owners * FMT.max_samples * FMT.feature_bound ** 2
    assert largest * 2 ** FMT.frac_bits < 2 ** FMT.sum_bits < 2 ** 63


def test_what_the_csp_decrypts_has_the_bit_length_of_the_mask(owners, csp):
    """The plaintexts the CSP actually decrypts, B + sum DS_l, are about sum_bits + sigma bits long: uniform
    on [0, 2^mask_bits) up to the pooled share. A 20-bit mask, or none, would leave them near sum_bits."""
    shares = [DataOwner(X, FMT).encrypted_share(csp.public_key) for X in owners]
    seen = []
    for _ in range(4):
        csp.decrypt(DataUser(FMT).collect(shares, csp.public_key))
        seen += csp.decrypted
    bits = [abs(m).bit_length() for m in seen]
    assert len(seen) == 4 * share_length(4)
    assert max(bits) <= FMT.sum_bits + FMT.sigma + 1  # |B + S| < 2^mask_bits + 2^sum_bits
    assert max(bits) >= FMT.sum_bits + FMT.sigma - 4  # fails with probability 2^-240
    assert min(bits) >= FMT.sum_bits + 2  # all far above the share's own sum_bits (fails w.p. < 2^-30)
    assert [m % 2 ** 64 for m in seen[-share_length(4):]] == [int(w) % 2 ** 64 for w in csp.masked]


def test_the_dus_message_carries_the_fresh_randomness_of_its_mask(owners, csp):
    """Enc[B] is encrypted before the shares arrive; the message is exactly Enc[B] (x) prod Enc[DS_l], so its
    randomness is r_B prod r_l with r_B fresh: two messages on the same shares differ in every ciphertext."""
    shares = [DataOwner(X, FMT).encrypted_share(csp.public_key) for X in owners]
    du = DataUser(FMT)
    encrypted_mask = du.prepare_mask(csp.public_key, shares[0].size)
    n2 = csp.public_key.n ** 2
    expected = [int(c) for c in encrypted_mask.ciphertexts]
    for share in shares:
        expected = [e * int(c) % n2 for e, c in zip(expected, share.ciphertexts)]
    first = du.collect(shares, csp.public_key)
    again = DataUser(FMT).collect(shares, csp.public_key)
    owners_product = [1] * len(expected)
    for share in shares:
        owners_product = [e * int(c) % n2 for e, c in zip(owners_product, share.ciphertexts)]
    sent = [int(c) for c in first._cts]  # as the CSP receives them (no extra re-randomization on the way)
    assert sent == expected
    assert all(a != int(b) for a, b in zip(sent, again._cts))
    assert all(a != b for a, b in zip(sent, owners_product))


def test_weak_parameters_are_refused_or_warned():
    with pytest.raises(ValueError, match="sigma >= 40"):
        ShareFormat(sigma=1)
    with pytest.raises(ValueError, match="sigma >= 40"):
        ShareFormat(sigma=39)
    with pytest.raises(ValueError, match="positive integer"):
        ShareFormat(max_owners=True)
    assert PrivatePCA().key_bits == 2048
    assert CryptoServiceProvider().public_key.n.bit_length() == 2048
    with pytest.warns(InsecureKeyWarning, match="SP 800-57"):
        assert CryptoServiceProvider(1024).public_key.n.bit_length() == 1024  # the lecture's size: a warning
    with pytest.raises(ValueError, match="insecure_demo=True"):
        CryptoServiceProvider(512)


def test_two_party_run_matches_one_process(owners, csp, fitted):
    two = PrivatePCA(3, sweeps=5, two_party=True).fit(owners, csp=csp)
    assert np.allclose(two.components_, fitted.components_, atol=1e-6)
    assert two.costs_["two_party"]


def test_mismatched_features(owners):
    with pytest.raises(ValueError, match="features"):
        PrivatePCA(2).fit([owners[0], owners[1][:, :3]])


def test_too_few_samples(owners):
    with pytest.raises(ValueError, match="at least 2"):
        PrivatePCA(2).fit([owners[0], owners[1][:1]])
    with pytest.raises(ValueError, match="max_samples"):
        DataOwner(np.zeros((10, 2)), ShareFormat(max_samples=5))


def test_values_out_of_range(owners):
    with pytest.raises(ValueError, match="feature_bound"):
        PrivatePCA(2).fit([owners[0] * 100, owners[1]])
    with pytest.raises(ValueError, match="ring"):
        ShareFormat(frac_bits=50)
    with pytest.raises(ValueError, match="n_components"):
        PrivatePCA(9).fit(owners)


def test_key_mismatch(owners, csp):
    other, _ = generate_keypair(1024, insecure_demo=True)
    shares = [DataOwner(owners[0], FMT).encrypted_share(csp.public_key),
              DataOwner(owners[1], FMT).encrypted_share(other)]
    with pytest.raises(ValueError, match="different key"):
        DataUser(FMT).collect(shares, csp.public_key)
    foreign = DataUser(FMT).collect(shares[1:], other)
    with pytest.raises(ValueError, match="different public key"):
        csp.decrypt(foreign)


def test_too_many_owners(owners, csp):
    fmt = ShareFormat(max_owners=2)
    shares = [DataOwner(X, fmt).encrypted_share(csp.public_key) for X in owners]
    with pytest.raises(ValueError, match="max_owners"):
        DataUser(fmt).collect(shares, csp.public_key)


def test_transform_needs_fit_and_right_width(fitted):
    with pytest.raises(ValueError, match="not fitted"):
        PrivatePCA(2).transform(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="shape"):
        fitted.transform(np.zeros((2, 5)))
