"""Has a learner's cell changed cnnlib itself (``Relu.backward = lambda self, d: d``)?

The catalogued mistakes run on cnnlib's layers, so a patched layer changes what they return. The
tutor records the functions and classes it builds on when it is imported; before a check,
:func:`changes` lists what differs since. The checker then tells the learner, and computes (and
caches) no mistake's outcome from a patched library. The expected values never depend on these
objects (see :mod:`.references`).
"""

from __future__ import annotations

from .. import functions, im2col, layers, reference
from . import solutions, starters

__all__ = ["changes"]

_MODULES = (functions, im2col, layers, reference, starters, solutions)


def _objects() -> dict:
    """{display name: object} of every function of the modules and every attribute of their classes."""
    found = {}
    for module in _MODULES:
        for name, obj in vars(module).items():
            if isinstance(obj, type) and obj.__module__ == module.__name__:
                found.update({f"{name}.{attr}": value for attr, value in vars(obj).items()})
            elif callable(obj) and not name.startswith("__"):
                found[f"{module.__name__}.{name}"] = obj
    return found


_ORIGINAL = _objects()


def changes() -> list[str]:
    """Names ("Relu.backward", "cnnlib.im2col.im2col") replaced, added or deleted since import."""
    now = _objects()
    return sorted(name for name in _ORIGINAL.keys() | now.keys() if _ORIGINAL.get(name) is not now.get(name))
