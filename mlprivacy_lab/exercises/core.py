"""An exercise, its feedback and its typical mistakes (the checking engine behind every chapter's exercises).

A chapter shows ``exercise`` (its prompt), the student edits ``answer = ...`` and runs
``exercise.check(answer)``. ``check`` accepts an answer equal to ``solution()`` (computed by the package, never
stored), recognises each of ``common_mistakes`` with its own message, and otherwise says what is wrong with a
hint that points to the idea without giving the answer away.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: ``correct`` and a message (what is right, what is wrong, a hint)."""

    correct: bool
    message: str

    def require(self) -> "Feedback":
        """Raise ``AssertionError`` with the message unless correct (solution cells call this)."""
        if not self.correct:
            raise AssertionError(self.message)
        return self

    def __str__(self) -> str:
        return ("Correct. " if self.correct else "Not yet. ") + self.message

    def _repr_markdown_(self) -> str:
        return ("**Correct.** " if self.correct else "**Not yet.** ") + self.message


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer and the targeted message ``check`` gives for it. ``matches`` recognises the
    mistake in an answer (by default: the answer equals ``answer``, compared like the solution)."""

    answer: Any
    message: str
    matches: Callable[[Any], bool] | None = None


def same_number(x: Any, y: Any, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Numbers or arrays of the same shape, equal within a tolerance; exact for Python integers."""
    if isinstance(x, (int, np.integer)) and isinstance(y, (int, np.integer)) \
            and not isinstance(x, bool) and not isinstance(y, bool):
        return int(x) == int(y)
    try:
        a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.all(np.isfinite(a))) and np.allclose(a, b, rtol=rtol, atol=atol)


def _describe(value: Any) -> str:
    text = np.array2string(np.asarray(value), precision=4) if isinstance(value, (list, tuple, np.ndarray)) \
        else repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


@dataclass
class Exercise:
    """One exercise of a chapter.

    ``reference`` computes the solution with the package. ``prepare`` turns a student's answer into the value
    that is compared (e.g. calls a function the student wrote on fixed inputs) and raises ``ValueError`` with
    a clear message for an answer of the wrong kind. ``accept(value, solution)`` decides correctness
    (``same_number`` unless given: a ciphertext, say, is accepted when it decrypts right). ``given`` holds the
    exercise's data by name, so that a student copies ``exercise.given["c"]`` instead of retyping it.
    """

    chapter: str
    name: str
    prompt: str
    reference: Callable[[], Any]
    hint: str
    common_mistakes: list[Mistake]
    prepare: Callable[[Any], Any] = field(default=lambda answer: answer)
    accept: Callable[[Any, Any], bool] = field(default=same_number)
    explanation: str = ""
    given: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.common_mistakes:
            raise ValueError(f"exercise {self.chapter}/{self.name}: list at least one common mistake")

    def solution(self) -> Any:
        """The reference answer, computed by the package."""
        return self.reference()

    def check(self, answer: Any) -> Feedback:
        """Feedback on ``answer``: correct, a recognised common mistake, or what is off plus the hint."""
        if answer is None or answer is Ellipsis:
            return Feedback(False, f"no answer yet: replace `None` with yours. Hint: {self.hint}")
        try:
            value = self.prepare(answer)
        except Exception as err:  # a student's code may fail in any way: report it, do not crash the cell
            return Feedback(False, f"your answer could not be used ({type(err).__name__}: {err}). "
                                   f"Hint: {self.hint}")
        solution = self.solution()
        if self.accept(value, solution):
            return Feedback(True, self.explanation or "that is the value the package computes.")
        for mistake in self.common_mistakes:
            if self._is(mistake, value):
                return Feedback(False, mistake.message)
        return Feedback(False, f"{_describe(value)} is not it. Hint: {self.hint}")

    def _is(self, mistake: Mistake, value: Any) -> bool:
        if mistake.matches is not None:
            return bool(mistake.matches(value))
        try:
            typical = self.prepare(mistake.answer)
        except Exception:
            return False
        return value == typical if isinstance(typical, str) else same_number(value, typical)

    def _repr_markdown_(self) -> str:
        return f"**Exercise {self.chapter}.{self.name}**\n\n{self.prompt}"

    def __repr__(self) -> str:
        return f"Exercise {self.chapter}.{self.name}: {self.prompt}"


def number() -> Callable[[Any], float]:
    """``prepare`` for an answer that is one real number."""
    def prepare(answer: Any) -> float:
        if isinstance(answer, bool) or np.ndim(answer) != 0:
            raise ValueError(f"expected one number, got {_describe(answer)}")
        return float(answer)
    return prepare


def array_of_shape(*shape: int) -> Callable[[Any], np.ndarray]:
    """``prepare`` for an answer that is an array (or nested list) of the given shape."""
    def prepare(answer: Any) -> np.ndarray:
        value = np.asarray(answer, dtype=np.float64)
        if value.shape != shape:
            raise ValueError(f"expected an array of shape {shape}, got shape {value.shape}")
        return value
    return prepare
