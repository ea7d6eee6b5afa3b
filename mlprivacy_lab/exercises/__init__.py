"""Exercises with immediate feedback, 2-4 per chapter (``EXERCISES["04"]`` are chapter 4's).

In a chapter::

    from mlprivacy_lab.exercises import chapter
    ex = chapter("04")
    ex.decrypt_by_hand              # shows the prompt
    ex.decrypt_by_hand.check(answer)  # feedback: correct, a recognised mistake, or a hint

Each exercise's ``solution()`` is computed by the package; its ``common_mistakes`` are typical wrong answers
that ``check`` recognises with their own message (see ``core``).
"""

from __future__ import annotations

from types import SimpleNamespace

from . import ch00, ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09, ch10, ch11
from .core import Exercise, Feedback, Mistake

EXERCISES: dict[str, list[Exercise]] = {
    module.__name__.rsplit(".ch", 1)[1]: module.EXERCISES
    for module in (ch00, ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09, ch10, ch11)
}


def chapter(number: str) -> SimpleNamespace:
    """The exercises of chapter ``number`` ("00".."11"), as attributes named after each exercise."""
    if number not in EXERCISES:
        raise KeyError(f"no exercises for chapter {number!r}; chapters with exercises: {', '.join(EXERCISES)}")
    return SimpleNamespace(**{exercise.name: exercise for exercise in EXERCISES[number]})


__all__ = ["EXERCISES", "Exercise", "Feedback", "Mistake", "chapter"]
