"""Programs for the two-party failure tests of ``test_garbled.py``, in a module of their own so that the
evaluator process, which imports them by name, starts fast (no pytest, no hypothesis) even on a busy machine."""

import os
import time


def evaluator_raises(engine):
    if engine.party == "evaluator":
        raise ArithmeticError("the evaluator fails on purpose")
    engine.reveal(engine.constant(1, width=1, signed=False))


def evaluator_dies(engine):
    if engine.party == "evaluator":
        os._exit(7)
    engine.reveal(engine.constant(1, width=1, signed=False))


def evaluator_stalls(engine):
    if engine.party == "evaluator":
        time.sleep(60)
    engine.reveal(engine.constant(1, width=1, signed=False))
