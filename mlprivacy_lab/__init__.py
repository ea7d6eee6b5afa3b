"""mlprivacy-lab: the helper package behind the Machine Learning and Privacy lab book.

Sub-packages mirror the lecture: ``attacks`` (inversion, membership, adversarial),
``privacy`` (DP mechanisms, DP-SGD, accounting), ``crypto`` (Paillier, garbled
circuits, OT, secret sharing), ``protocols`` (multi-party protocols), ``compressive``
and ``robust`` (certified bounds). ``data``, ``models`` and ``api`` are shared by all.
"""

__version__ = "0.1.0"
