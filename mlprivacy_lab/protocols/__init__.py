"""Multi-party protocols built on mlprivacy_lab.crypto, such as privacy-preserving PCA."""
