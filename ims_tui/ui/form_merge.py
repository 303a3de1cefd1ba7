"""The three-way compare behind "no lost update": what the form started from, what the server has now, and yours.

Pure and Textual-free. The edit form reads the image again just before its preview and calls ``three_way``
with the image it was filled from (``original``), the image as the server has it now (``theirs``) and the
attributes the form means (``yours``, from ``form_model.validate``). Per key, with a missing key meaning "no
such property":

- a key you did not change takes theirs, whatever it is: a change someone else made meanwhile is kept (``kept``
  names the ones that changed), and the patch, diffed against ``theirs``, never sends such a key;
- a key you changed that they left alone (or changed to exactly your value) takes yours;
- a key you changed that they changed to something else is a ``Clash``: the user decides, keep mine
  (``Merge.after``) or take theirs (``Merge.taking_theirs()``).

Tags are compared as a set, as Glance keeps them: a new order alone is nobody's change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ABSENT", "Clash", "Merge", "same", "three_way"]


class _Absent:
    """A key the image does not have (a property nobody set, or one that was removed)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


def same(key: str, old: Any, new: Any) -> bool:
    """Whether two values of ``key`` are one value to Glance: types count (True is not 1), tag order does not."""
    if key == "tags" and isinstance(old, list) and isinstance(new, list):
        return sorted(map(str, old)) == sorted(map(str, new)) and len(old) == len(new)
    return type(old) is type(new) and old == new


@dataclass(frozen=True)
class Clash:
    """One key both you and someone else changed, to different values; ``ABSENT`` where the key is missing."""

    key: str
    original: Any
    theirs: Any
    yours: Any


@dataclass(frozen=True)
class Merge:
    """What to send, as the "after" of a diff against ``theirs``.

    ``after`` keeps yours on every key you changed (keep mine); ``clashes`` are the keys someone else changed to
    something else meanwhile; ``kept`` the keys only someone else changed, which the patch leaves as they are now.
    """

    theirs: dict[str, Any]
    after: dict[str, Any]
    changed: frozenset[str]
    clashes: tuple[Clash, ...]
    kept: tuple[str, ...]

    def taking_theirs(self) -> dict[str, Any]:
        """``after`` with every clashing key as the server has it now: those keys drop out of the change."""
        out = dict(self.after)
        for clash in self.clashes:
            _put(out, clash.key, clash.theirs)
        return out


def _get(values: Mapping[str, Any], key: str) -> Any:
    return values.get(key, ABSENT)


def _put(values: dict[str, Any], key: str, value: Any) -> None:
    if value is ABSENT:
        values.pop(key, None)
    else:
        values[key] = value


def _differs(key: str, a: Any, b: Any) -> bool:
    if a is ABSENT or b is ABSENT:
        return a is not b
    return not same(key, a, b)


def three_way(original: Mapping[str, Any], theirs: Mapping[str, Any], yours: Mapping[str, Any]) -> Merge:
    """Compare per key (see the module docstring); ``after`` differs from ``theirs`` only on keys you changed."""
    changed = frozenset(k for k in set(original) | set(yours) if _differs(k, _get(original, k), _get(yours, k)))
    after = dict(theirs)
    clashes: list[Clash] = []
    for key in sorted(changed):
        mine, now, before = _get(yours, key), _get(theirs, key), _get(original, key)
        if not _differs(key, mine, now):
            continue  # the server already has your value: nothing to send for it
        if _differs(key, now, before):
            clashes.append(Clash(key, before, now, mine))
        _put(after, key, mine)
    untouched = (set(original) | set(theirs)) - changed
    kept = tuple(sorted(k for k in untouched if _differs(k, _get(original, k), _get(theirs, k))))
    return Merge(dict(theirs), after, changed, tuple(clashes), kept)
