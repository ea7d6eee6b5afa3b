"""Oblivious transfer: Chou–Orlandi base OT in a 3072-bit prime-order group and IKNP OT extension.

The receiver learns exactly the message it chose; the sender learns nothing about the choice. Randomness
comes from ``secrets`` (and AES-CTR streams seeded from it); messages travel over a counted ``Channel``.
"""

from .base import ot_receive, ot_send, random_ot_receive, random_ot_send
from .channel import Channel, Traffic
from .extension import OTExtensionReceiver, OTExtensionSender
from .local import InProcessOTExtension

__all__ = ["Channel", "Traffic", "ot_send", "ot_receive", "random_ot_send", "random_ot_receive",
           "OTExtensionSender", "OTExtensionReceiver", "InProcessOTExtension"]
