"""The list's slice of an image and its pages: ``ImageRow`` (what one row shows, kept small: a listing may hold
100,000), ``BadImageRow`` and ``BadEntry`` (a list entry that did not parse), ``ImagePage`` (one answer of a list
call, with its rows). The full image is ``models.Image``."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from .errors import MalformedResponse
from .models import Image


def _interned(value: Any) -> Any:
    # Status, visibility and formats repeat on every row: share one string object per value.
    return sys.intern(value) if isinstance(value, str) and len(value) < 32 else value


# A kept value longer than this is cut: no column is that wide, and a property may hold 255 characters or more.
KEPT_MAX = 120


def _kept_text(image: Image, props: dict[str, Any], name: str) -> str | None:
    """Attribute or property ``name`` of ``image`` as one line of text for a column cell (None: absent)."""
    value = getattr(image, name) if name in Image.model_fields else props.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = value
    elif isinstance(value, list):
        text = ", ".join(str(item) for item in value)
    else:
        text = json.dumps(value, separators=(",", ":"), default=str) if isinstance(value, dict) else str(value)
    text = text[:KEPT_MAX]
    return sys.intern(text) if len(text) < 32 else text  # os_distro and its like repeat on every row


class ImageRow:
    """The compact slice of an image that a list row shows; the detail pane fetches the rest fresh.

    A listing may hold 100,000 of these, so it keeps only what the columns and the quick filter need. A list
    entry that did not parse is a ``BadImageRow``: ``problem`` says what is wrong, ``raw`` is what the server
    sent, and ``actionable`` is False when it has no real id (its ``id`` is a placeholder, ``?bad-...``, that
    must never be sent to the server). Good rows pay nothing for these: they are class attributes here.
    """

    problem: str | None = None
    raw: Any = None
    actionable: bool = True

    __slots__ = (
        "id",
        "name",
        "status",
        "size",
        "visibility",
        "disk_format",
        "container_format",
        "owner",
        "min_disk",
        "min_ram",
        "os_version",
        "created_at",
        "updated_at",
        "protected",
        "image_type",
        "platform",
        "kept",
    )

    def __init__(self, image: Image, keep: tuple[str, ...] = ()) -> None:
        props = image.__pydantic_extra__ or {}
        self.id = image.id
        self.name = image.name
        self.status = _interned(image.status)
        self.size = image.effective_size
        self.visibility = _interned(image.visibility)
        self.disk_format = _interned(image.disk_format)
        self.container_format = _interned(image.container_format)
        self.owner = _interned(image.owner)
        self.min_disk = image.min_disk
        self.min_ram = image.min_ram
        version = props.get("__os_version") or props.get("os_version") or props.get("os_distro")
        self.os_version = _interned(version) if isinstance(version, str) else None
        self.created_at = image.created_at
        self.updated_at = image.updated_at
        self.protected = bool(image.protected)
        image_type = props.get("__imagetype")
        self.image_type = _interned(image_type) if isinstance(image_type, str) else None
        platform = props.get("__platform")
        self.platform = _interned(platform) if isinstance(platform, str) else None
        # Only the values of chosen columns the slots above do not hold; None when there are none, so a row costs
        # one pointer more. The names come first (one shared tuple), so a value is never read under another name.
        self.kept: tuple[Any, ...] | None = (keep, *(_kept_text(image, props, name) for name in keep)) if keep else None

    def kept_value(self, name: str) -> str | None:
        """The text of attribute or property ``name`` kept for a chosen column (None: absent, or not kept)."""
        kept = self.kept
        if kept is None or name not in kept[0]:
            return None
        return kept[kept[0].index(name) + 1]  # type: ignore[no-any-return]

    def matches(self, needle: str) -> bool:
        """Case-insensitive substring match on name or id, for the quick local filter."""
        needle = needle.casefold()
        return needle in (self.name or "").casefold() or needle in self.id.casefold()

    def __repr__(self) -> str:
        return f"ImageRow(id={self.id!r}, name={self.name!r}, status={self.status!r})"


PLACEHOLDER_PREFIX = "?bad-"


class BadImageRow(ImageRow):
    """A list entry that did not parse, shown with what could be read of it (see ``ImageRow``)."""

    __slots__ = ("problem", "raw", "actionable")

    def __init__(self, entry: BadEntry, placeholder: str, keep: tuple[str, ...] = ()) -> None:
        super().__init__(entry.image, keep)
        self.problem = entry.problem
        self.raw = entry.raw
        self.actionable = entry.has_id
        if not entry.has_id:
            self.id = placeholder

    def __repr__(self) -> str:
        return f"BadImageRow(id={self.id!r}, problem={self.problem!r})"


@dataclass(frozen=True)
class BadEntry:
    """Entry ``index`` of a page, which is not a valid image: the server's ``raw`` value, the ``problem``, and
    an ``image`` of the fields that did parse (its id is a placeholder when ``has_id`` is False)."""

    index: int
    raw: Any
    problem: str
    image: Image
    has_id: bool

    @classmethod
    def of(cls, index: int, raw: Any, errors: list[Any]) -> BadEntry:
        """What is wrong with ``raw`` (pydantic's ``errors``, none for an empty id), and what can be read of it."""
        placeholder = f"{PLACEHOLDER_PREFIX}{index}"
        if not isinstance(raw, dict):
            return cls(index, raw, f"not an image object but {_kind(raw)}", Image(id=placeholder), False)
        broken = {str(error["loc"][0]) for error in errors if error.get("loc")}
        problems = [_problem(error, raw) for error in errors if tuple(error.get("loc") or ()) != ("id",)]
        raw_id = raw.get("id")
        has_id = isinstance(raw_id, str) and bool(raw_id.strip())
        if not has_id:
            broken.add("id")
            text = isinstance(raw_id, str)
            problems.insert(0, "no id" if raw_id is None else "an empty id" if text else f"the id is {_kind(raw_id)}")
        data = {key: value for key, value in raw.items() if key not in broken}
        data["id"] = raw["id"] if has_id else placeholder
        try:
            salvaged = Image.model_validate(data)
        except ValidationError:
            salvaged = Image(id=data["id"])
        return cls(index, raw, "; ".join(dict.fromkeys(problems)), salvaged, has_id)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    text = repr(value)
    return f"{type(value).__name__} {text[:40]}{'…' if len(text) > 40 else ''}"


def _problem(error: Any, raw: dict[str, Any]) -> str:
    loc = error.get("loc") or ()
    where = ".".join(str(part) for part in loc) or "value"
    got = raw.get(str(loc[0])) if loc else None
    return f"{where}: {error.get('msg', 'invalid')} (got {_kind(got)})"


class ImagePage(BaseModel):
    """One page of a listing; ``next`` is the server's link to the following page, if any.

    ``images`` are the entries that parsed, in the server's order; ``bad`` the ones that did not (one bad image
    does not hide the others). ``rows()`` gives both as list rows, in the server's order.
    """

    images: list[Image]
    bad: list[BadEntry] = Field(default_factory=list)
    next: str | None = None
    first: str | None = None

    @property
    def count(self) -> int:
        """How many entries the server sent, good and bad."""
        return len(self.images) + len(self.bad)

    def rows(self, label: str = "", keep: tuple[str, ...] = ()) -> list[ImageRow]:
        """The rows, bad ones in their place; an id-less one is ``?bad-<label><index>``. ``keep``: the attributes
        and properties each row keeps for chosen columns (``ImageRow.kept``)."""
        if not self.bad:
            return [ImageRow(image, keep) for image in self.images]
        return [
            ImageRow(image, keep)
            if entry is None
            else BadImageRow(entry, f"{PLACEHOLDER_PREFIX}{label}{entry.index}", keep)
            for image, entry in self._in_order()
        ]

    def property_names(self) -> set[str]:
        """Every custom property name on this page's images (what a column picker can offer)."""
        return {name for image in self.images for name in image.__pydantic_extra__ or ()}

    def last_with_id(self) -> Image | None:
        """The last entry that has a real id (what could be read of it, if bad): where paging can go on from."""
        for image, entry in reversed(self._in_order()):
            if entry is None or entry.has_id:
                return image
        return None

    def _in_order(self) -> list[tuple[Image, BadEntry | None]]:
        good = iter(self.images)
        bad = {entry.index: entry for entry in self.bad}
        return [(bad[i].image, bad[i]) if i in bad else (next(good), None) for i in range(self.count)]

    @classmethod
    def parse(cls, data: Any) -> ImagePage:
        if not isinstance(data, dict):
            raise MalformedResponse(f"expected a JSON object with 'images', got {type(data).__name__}")
        entries = data.get("images")
        if not isinstance(entries, list):
            raise MalformedResponse("the server's answer has no 'images' list")
        next_link = data.get("next")
        if next_link is not None and not isinstance(next_link, str):
            raise MalformedResponse("the server's 'next' link is not a string")
        images: list[Image] = []
        bad: list[BadEntry] = []
        for index, item in enumerate(entries):
            try:
                image = Image.model_validate(item)
            except ValidationError as exc:
                bad.append(BadEntry.of(index, item, exc.errors()))
                continue
            if image.id.strip():
                images.append(image)
            else:
                bad.append(BadEntry.of(index, item, []))
        return cls(images=images, bad=bad, next=next_link or None, first=data.get("first"))
