"""A secret the API layer holds (a password, a credential secret, a token): shown as stars, read on purpose.

``SecretValue`` prints like pydantic's ``SecretStr`` did, so a repr, an f-string, a dump of the object holding it
or a log line never carries the value; ``get_secret_value()`` is the one way to read it. ``SecretField`` makes a
frozen dataclass field of it that takes a plain str or a ``SecretValue`` and always holds the latter.

Plain Python, not pydantic: the Keystone credentials are built before the first request is sent, and that request
must not wait for pydantic's import. The config layer has its own ``Secret`` (the API layer never imports it).
"""

from __future__ import annotations

from typing import Any

_SHOWN = "**********"


class SecretValue:
    """A str that never shows: ``repr`` is ``SecretValue('**********')`` (``''`` when empty), ``str`` the stars.

    Equal to another ``SecretValue`` of the same value and hashed by it, so the frozen credentials holding one
    compare and hash by what they hold, as they did with ``SecretStr``.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"a secret must be a str, not {type(value).__name__}")
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __str__(self) -> str:
        return _SHOWN if self._value else ""

    def __repr__(self) -> str:
        return f"SecretValue({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretValue) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class SecretField:
    """A frozen dataclass's secret field: ``password: SecretField = SecretField()``.

    The generated ``__init__`` (and mypy) take a str or a ``SecretValue``; reading gives the ``SecretValue``.
    Despite the ``=`` the field is required: read on the class, the field raises ``AttributeError``, which
    dataclasses take for "no default" (mypy can't know that, so a missing secret is caught when it runs).
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, obj: object | None, owner: Any) -> SecretValue:
        if obj is None:
            raise AttributeError(self._name)
        value: SecretValue = obj.__dict__[self._name]
        return value

    def __set__(self, obj: object, value: str | SecretValue) -> None:
        # frozen dataclasses set fields through object.__setattr__, which still calls a data descriptor
        if not isinstance(value, SecretValue | str):
            raise TypeError(f"{self._name} must be a str or a SecretValue, not {type(value).__name__}")
        obj.__dict__[self._name] = value if isinstance(value, SecretValue) else SecretValue(value)
