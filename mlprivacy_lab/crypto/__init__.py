"""Cryptographic building blocks: Paillier, garbled circuits, oblivious transfer, secret sharing. Randomness comes from `secrets`; keys and ciphertexts serialize to JSON only."""
