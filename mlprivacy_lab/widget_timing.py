"""How fast a chapter's widgets answer: record every ``ipywidgets.interact`` call of a running notebook, then
call each callback with every control at its extreme values and time it (``bench widgets`` does this for
every chapter; a measurement, never a timed test)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import ipywidgets

_RECORDED: list[tuple[Callable, dict[str, Any]]] = []


def record_interactions() -> None:
    """From now on, remember the callback and controls of every ``ipywidgets.interact(...)`` call."""
    original = ipywidgets.interact
    if getattr(original, "records", False):
        return

    def recording(fn=None, **controls):
        _RECORDED.append((fn, controls))
        return original(fn, **controls)

    recording.records = True
    ipywidgets.interact = recording


def _extremes(control: Any) -> list[Any]:
    """The values a control takes at its ends (both ends of a slider, every option of a short selection)."""
    if isinstance(control, ipywidgets.FloatLogSlider):
        return [control.base ** control.min, control.base ** control.max]
    if hasattr(control, "min") and hasattr(control, "max"):
        return [control.min, control.max]
    if hasattr(control, "options"):
        values = [control.options[i] if not isinstance(control.options[i], tuple) else control.options[i][1]
                  for i in range(len(control.options))]
        return values if len(values) <= 4 else [values[0], values[-1]]
    return []


def _value(control: Any) -> Any:
    return control.value if isinstance(control, ipywidgets.ValueWidget) else control


def time_interactions() -> list[dict]:
    """For each recorded widget: the slowest response over its controls' extreme values (seconds)."""
    import matplotlib.pyplot as plt
    from IPython.utils.capture import capture_output

    timings = []
    for fn, controls in _RECORDED:
        defaults = {name: _value(control) for name, control in controls.items()}
        slowest, at = 0.0, None
        for name, control in controls.items():
            for extreme in _extremes(control):
                with capture_output():
                    start = time.perf_counter()
                    fn(**{**defaults, name: extreme})
                    seconds = time.perf_counter() - start
                    plt.close("all")
                if seconds >= slowest:
                    slowest, at = seconds, f"{name}={extreme!r}"
        timings.append({"callback": fn.__name__, "slowest_s": round(slowest, 3), "at": at,
                        "continuous_update": all(getattr(c, "continuous_update", True) for c in controls.values()
                                                 if isinstance(c, ipywidgets.Widget))})
    return timings
