"""Showing an expected error in a chapter: its type and message, not a traceback, so "Run All" carries on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def expect_error(*exception_types: type[BaseException], match: str | None = None) -> Iterator[None]:
    """Run the ``with`` block, which must raise one of ``exception_types``, and print ``Type: message``.

    ``match`` is a regular expression that must be found in the message (``re.search``, as in
    ``pytest.raises``). No error at all, or a message ``match`` misses, raises ``AssertionError``; an
    exception of any other type propagates unchanged.
    """
    if not exception_types or not all(isinstance(t, type) and issubclass(t, BaseException)
                                      for t in exception_types):
        raise TypeError(f"expect_error() needs one or more exception classes, got {exception_types!r}")
    expected = " or ".join(t.__name__ for t in exception_types)
    try:
        yield
    except exception_types as err:
        message = str(err)
        if match is not None and re.search(match, message) is None:
            raise AssertionError(f"{type(err).__name__} was raised as expected, but its message {message!r} "
                                 f"does not match {match!r}") from err
        print(f"{type(err).__name__}: {message}")
        return
    raise AssertionError(f"expected {expected}, but no error was raised")
