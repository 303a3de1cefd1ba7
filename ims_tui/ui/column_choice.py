"""The columns a user chose for the image list, as names: the rule a choice must meet, and what the picker offers.

A name is a base attribute of a Glance image (``BASE_CHOICES``) or, any other name, a custom property: an unknown
name is not a mistake, since a property by that name may exist on some image. A choice holds ``name`` (the one
column that says which image a row is) and names each column once. The config file, the picker and the remembered
state all go through ``parse_columns``; nothing here imports Textual or Rich, so the config layer may use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

# The base attributes a column can show, in the order the picker offers them.
BASE_CHOICES = (
    "name",
    "status",
    "size",
    "disk_format",
    "container_format",
    "visibility",
    "owner",
    "min_disk",
    "min_ram",
    "protected",
    "created_at",
    "updated_at",
    "id",
    "checksum",
    "os_hash_algo",
    "os_hash_value",
    "virtual_size",
    "os_hidden",
    "tags",
)
# The keys Glance sorts a list by (api/models.py SORT_KEYS; tests/unit/test_columns_choice.py checks they agree).
SERVER_SORTS = ("name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at")
# Glance caps a property's name at 255 characters.
MAX_NAME = 255


def parse_columns(names: Sequence[str]) -> tuple[str, ...]:
    """``names`` as a column choice, each stripped; ValueError says what is wrong and how to write it."""
    if isinstance(names, str):
        raise ValueError(f'columns must be a list of names, e.g. columns = ["name", "status"], not {names!r}')
    if not names:
        raise ValueError("an empty list of columns shows nothing: name the columns to show, name first")
    chosen: list[str] = []
    for item in names:
        if not isinstance(item, str):
            raise ValueError(f"{item!r} is not a column name: each entry is a string in quotes")
        name = item.strip()
        if not name or len(name) > MAX_NAME or not name.isprintable():
            raise ValueError(f"{item!r} is not a column name: a base attribute or a property name")
        if name in chosen:
            raise ValueError(f"{name!r} is named twice; name each column once")
        chosen.append(name)
    if "name" not in chosen:
        raise ValueError('the columns must include "name": it says which image a row is')
    return tuple(chosen)


def is_property(name: str) -> bool:
    """True for a custom property column (any name that is not a base attribute)."""
    return name not in BASE_CHOICES


def server_sorts(name: str) -> bool:
    """Whether the image service can sort the list by column ``name``."""
    return name in SERVER_SORTS


def offered(current: Sequence[str], seen: Iterable[str]) -> tuple[str, ...]:
    """What the picker lists: the current columns in their order, then the other base attributes, then the other
    properties ``seen`` (on the loaded rows and the highlighted image), sorted."""
    shown = dict.fromkeys(current)
    rest = [name for name in BASE_CHOICES if name not in shown]
    props = sorted({name for name in seen if name not in shown and is_property(name)})
    return (*shown, *rest, *props)


def moved(names: Sequence[str], index: int, step: int) -> tuple[tuple[str, ...], int]:
    """``names`` with the one at ``index`` moved ``step`` places (clamped), and where it is now."""
    items = list(names)
    if not 0 <= index < len(items):
        return tuple(items), index
    target = max(0, min(len(items) - 1, index + step))
    items.insert(target, items.pop(index))
    return tuple(items), target
