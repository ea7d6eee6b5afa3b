"""expect_error: chapters show an expected error as one printed line, and fail when it does not come."""

import pytest

from mlprivacy_lab.errors import expect_error


def test_prints_type_and_message_without_traceback(capsys):
    with expect_error(ValueError):
        raise ValueError("epsilon must be > 0, got 0.0")
    out, err = capsys.readouterr()
    assert out == "ValueError: epsilon must be > 0, got 0.0\n"
    assert "Traceback" not in out + err


def test_any_of_several_types_and_subclasses():
    with expect_error(TypeError, OverflowError):
        raise OverflowError("too large")
    with expect_error(ArithmeticError):
        raise ZeroDivisionError("division by zero")


def test_no_error_fails_naming_the_expected_types():
    with pytest.raises(AssertionError, match="expected ValueError or OverflowError, but no error was raised"):
        with expect_error(ValueError, OverflowError):
            pass


def test_unexpected_type_propagates_unchanged():
    original = KeyError("not this one")
    with pytest.raises(KeyError) as info:
        with expect_error(ValueError):
            raise original
    assert info.value is original


def test_match_is_searched_in_the_message(capsys):
    with expect_error(ValueError, match=r"must be > \d"):
        raise ValueError("epsilon must be > 0")
    assert capsys.readouterr().out == "ValueError: epsilon must be > 0\n"
    with pytest.raises(AssertionError, match="does not match"):
        with expect_error(ValueError, match="different key"):
            raise ValueError("epsilon must be > 0")


@pytest.mark.parametrize("bad", [(), (ValueError, "ValueError"), (int,)])
def test_needs_exception_classes(bad):
    with pytest.raises(TypeError, match="exception classes"):
        with expect_error(*bad):
            pass
