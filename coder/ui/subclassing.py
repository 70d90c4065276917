"""Declaring methods a subclass must provide, for Qt classes.

``abc`` cannot be mixed into Qt classes (their metaclass is Shiboken's), so bases check
at class-creation time that a concrete subclass defines what it must; a missing method
is a ``TypeError`` when the module is imported, not a silent no-op at run time.
"""

from __future__ import annotations


def require_methods(cls: type, base: type, names: tuple[str, ...]) -> None:
    """Raise unless ``cls`` (a subclass of ``base``) or one of its bases below ``base``
    defines every method in ``names``."""
    below = [k for k in cls.__mro__ if k is not base and issubclass(k, base)]
    missing = [n for n in names if not any(callable(k.__dict__.get(n)) for k in below)]
    if missing:
        raise TypeError(f"{cls.__name__} must define {' and '.join(missing)}()")
