"""Every registered exercise accepts its solution, rejects each of its common mistakes with that mistake's own
message, and answers wrong kinds of input with feedback, never an exception."""

from __future__ import annotations

import pytest

from mlprivacy_lab.exercises import EXERCISES, Exercise, Mistake, chapter
from mlprivacy_lab.exercises.core import same_number

ALL = [exercise for exercises in EXERCISES.values() for exercise in exercises]
IDS = [f"{e.chapter}.{e.name}" for e in ALL]


def test_every_chapter_has_two_to_four_exercises():
    for number in [f"{i:02d}" for i in range(12)]:
        assert 2 <= len(EXERCISES.get(number, [])) <= 4, f"chapter {number} needs 2-4 exercises"
    for number, exercises in EXERCISES.items():
        assert all(e.chapter == number for e in exercises)
        assert len({e.name for e in exercises}) == len(exercises)


@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_solution_is_accepted(exercise):
    feedback = exercise.check(exercise.solution())
    assert feedback.correct, feedback.message
    assert feedback.require() is feedback


@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_each_common_mistake_gets_its_own_message(exercise):
    messages = [m.message for m in exercise.common_mistakes]
    assert len(set(messages)) == len(messages), "two mistakes share a message"
    for mistake in exercise.common_mistakes:
        feedback = exercise.check(mistake.answer)
        assert not feedback.correct, f"the mistake {mistake.answer!r} was accepted"
        assert feedback.message == mistake.message, (mistake.answer, feedback.message)
        with pytest.raises(AssertionError, match="."):
            feedback.require()


@pytest.mark.parametrize("exercise", ALL, ids=IDS)
@pytest.mark.parametrize("answer", [None, "seven", [1, 2, 3, 4, 5, 6, 7], float("nan")])
def test_unusable_answers_get_feedback_not_an_exception(exercise, answer):
    feedback = exercise.check(answer)
    assert not feedback.correct and len(feedback.message) > 20


def test_a_wrong_answer_gets_the_hint():
    exercise = chapter("03").laplace_scale
    feedback = exercise.check(123.0)
    assert not feedback.correct and exercise.hint in feedback.message


def test_chapter_lookup():
    assert chapter("04").decrypt_by_hand is EXERCISES["04"][0]
    with pytest.raises(KeyError, match="no exercises for chapter '99'"):
        chapter("99")


def test_an_exercise_without_mistakes_is_refused():
    with pytest.raises(ValueError, match="at least one common mistake"):
        Exercise("00", "x", "prompt", lambda: 1, "hint", [])


@pytest.mark.parametrize("x, y, same", [
    (1, 1, True), (2 ** 70, 2 ** 70 + 1, False), (0.1 + 0.2, 0.3, True), ([1.0, 2.0], [1.0, 2.0], True),
    ([1.0, 2.0], [1.0], False), (float("nan"), float("nan"), False), ("a", 1, False),
])
def test_same_number(x, y, same):
    assert same_number(x, y) is same


def test_a_matching_predicate_overrides_equality():
    exercise = Exercise("00", "even", "an even number", lambda: 2, "even", accept=lambda v, s: v % 2 == 0,
                        common_mistakes=[Mistake(3, "odd", matches=lambda v: v % 2 == 1)])
    assert exercise.check(4).correct and exercise.check(7).message == "odd"
