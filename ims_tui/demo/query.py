"""Listing queries as Glance 33 reads them: filter operators and ``in:`` values, ISO 8601 thresholds, the sort spec
with its tie-breaks, sort orders and markers, and the predicate one page is filtered with.

Glance does this in SQL (glance/db/sqlalchemy/api.py); here the same rules walk a list of ids kept in each order.
"""

from __future__ import annotations

import bisect
import functools
import re
import urllib.parse
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

from .errors import bad, forbidden
from .schema import BASE_KEYS, LIMIT_DEFAULT, LIMIT_MAX, NEVER_LISTED, SORT_KEYS, Image
from .store import Caller, ImageStore

Spec = list[tuple[str, str]]
DEFAULT_SPEC: Spec = [("created_at", "desc"), ("id", "desc")]

# -- filter values -----------------------------------------------------------------------------------------

_ISO = re.compile(
    r"^(\d{4})-?(\d{2})-?(\d{2})"
    r"(?:[T ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.I,
)


def parse_isotime(text: str) -> datetime:
    """oslo_utils.timeutils.parse_isotime (iso8601): naive times are UTC. ValueError when it is not ISO 8601."""
    match = _ISO.match(text.strip())
    if not match:
        raise ValueError(text)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    tz = timezone.utc
    if zone and zone.upper() != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    return datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro, tzinfo=tz
    )


def split_filter_op(expression: str) -> tuple[str, str]:
    """glance.common.utils.split_filter_op: "op:value", except that a whole ISO 8601 date is "eq"."""
    left, sep, right = expression.partition(":")
    if not sep:
        return "eq", left
    try:
        parse_isotime(expression)
    except ValueError:
        return left, right
    return "eq", expression


def split_in_values(value: str) -> list[str]:
    """glance.common.utils.split_filter_value_for_quotes, including its quote validation."""
    open_quotes = True
    for i, char in enumerate(value):
        if char != '"' or (i and value[i - 1] == "\\"):
            continue
        if open_quotes and i and value[i - 1] != ",":
            raise bad(f"Invalid filter value {value}. There is no comma before opening quotation mark.")
        if not open_quotes and i + 1 != len(value) and value[i + 1] != ",":
            raise bad(f"Invalid filter value {value}. There is no comma after closing quotation mark.")
        open_quotes = not open_quotes
    if not open_quotes:
        raise bad(f"Invalid filter value {value}. The quote is not closed.")
    pattern = re.compile(r'"([^\"\\]*(?:\\.[^\"\\]*)*)",?|([^,]+),?|,')
    return [quoted or plain for quoted, plain in pattern.findall(value)]


# -- the query string --------------------------------------------------------------------------------------


class ListRequest(NamedTuple):
    """GET /v2/images's parameters, checked in Glance's order."""

    pairs: list[tuple[str, str]]
    params: dict[str, str]
    filters: dict[str, str]
    tags: list[str]
    member_status: str
    visibility: str | None
    limit: int
    spec: Spec
    os_hidden: str
    protected: str | None


def parse_list(query: str) -> ListRequest:
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    params: dict[str, str] = {}
    for key, value in pairs:
        params[key] = value  # webob's MultiDict as a dict: the last value of a repeated key wins
    filters = {k: v for k, v in params.items() if k not in ("limit", "marker", "member_status", "tag")}
    filters.pop("sort", None)
    filters.pop("sort_key", None)
    filters.pop("sort_dir", None)
    tags = [value.strip() for key, value in pairs if key == "tag"]

    member_status = params.get("member_status", "accepted")
    if member_status not in ("pending", "accepted", "rejected", "all"):
        raise bad(f"Invalid status: {member_status}")
    visibility = filters.pop("visibility", None)
    if visibility and visibility not in ("community", "public", "private", "shared", "all"):
        raise bad(f"Invalid visibility value: {visibility}")
    if filters.get("changes-since"):
        raise bad('The "changes-since" filter is no longer available on v2.')
    limit = LIMIT_DEFAULT
    if "limit" in params:
        try:
            limit = int(params["limit"])
        except ValueError:
            raise bad("limit param must be an integer") from None
        if limit < 0:
            raise bad("limit param must be positive")
    spec = sort_spec(pairs)

    os_hidden = filters.pop("os_hidden", "false").lower()
    if os_hidden not in ("true", "false"):
        raise bad(f"Invalid value '{os_hidden}' for 'os_hidden' filter. Valid values are 'true' or 'false'.")
    protected = filters.pop("protected", None)
    if protected is not None and protected not in ("true", "false"):
        raise bad(f"Invalid value '{protected}' for 'protected' filter. Valid values are 'true' or 'false'.")
    limit = min(LIMIT_MAX, limit)
    return ListRequest(pairs, params, filters, tags, member_status, visibility, limit, spec, os_hidden, protected)


def sort_spec(pairs: list[tuple[str, str]]) -> Spec:
    """RequestDeserializer._get_sorting_params plus the created_at/id tie-breaks of _image_get_all."""
    names = {key for key, _ in pairs}
    keys: list[str] = []
    dirs: list[str] = []

    def check_key(key: str) -> str:
        if key not in SORT_KEYS:
            raise bad(f"Invalid sort key: {key}. It must be one of the following: {', '.join(SORT_KEYS)}.")
        return key

    def check_dir(direction: str) -> str:
        if direction not in ("asc", "desc"):
            raise bad(f"Invalid sort direction: {direction}")
        return direction

    if "sort" in names:
        if "sort_key" in names or "sort_dir" in names:
            raise bad("Old and new sorting syntax cannot be combined")
        sort_value = [value for key, value in pairs if key == "sort"][-1]
        for item in sort_value.strip().split(","):
            key, _, direction = item.partition(":")
            keys.append(check_key(key.strip()))
            dirs.append(check_dir((direction or "desc").strip()))
    else:
        keys = [check_key(value.strip()) for key, value in pairs if key == "sort_key"]
        dirs = [check_dir(value.strip()) for key, value in pairs if key == "sort_dir"]
        if len(dirs) > 1 and len(dirs) != len(keys):
            raise bad("Number of sort dirs does not match the number of sort keys")
    keys = keys or ["created_at"]
    dirs = dirs or ["desc"]
    default_dir = "desc"
    if len(dirs) == 1:
        default_dir = dirs[0]
        dirs = dirs * len(keys)
    for key in ("created_at", "id"):
        if key not in keys:
            keys.append(key)
            dirs.append(default_dir)
    return list(zip(keys, dirs, strict=False))


# -- sort orders and markers -------------------------------------------------------------------------------


def sort_value(key: str) -> Callable[[Image], Any]:
    # NULLs compare as the column default, like the marker criteria of Glance's _paginate_query.
    if key == "size":
        return lambda image: image["size"] or 0
    if key in ("created_at", "updated_at", "id"):
        return lambda image: image[key]
    return lambda image: image[key] or ""


def compare(a: Image, b: Image, spec: Spec) -> int:
    for key, direction in spec:
        va, vb = sort_value(key)(a), sort_value(key)(b)
        if va != vb:
            result = -1 if va < vb else 1
            return -result if direction == "desc" else result
    return 0


def position(order: list[str], images: Mapping[str, Image], image: Image, spec: Spec, *, after: bool) -> int:
    """Where ``image`` falls in ``order`` (ids sorted by ``spec``): the first place that sorts after it (``after``)
    or the first that does not sort before it."""
    key = functools.cmp_to_key(functools.partial(compare, spec=spec))
    find = bisect.bisect_right if after else bisect.bisect_left
    return find(order, key(image), key=lambda image_id: key(images[image_id]))


class Orders:
    """The store's ids in each sort order a listing asked for. The default order (created_at desc, id desc) is
    the seed's generation order and is kept up to date on create; the others are sorted again after any write."""

    def __init__(self, images: ImageStore) -> None:
        self.images = images
        self.default: list[str] = [image_id for image_id, _ in images.skeleton]
        self._cache: dict[tuple[tuple[str, str], ...], list[str]] = {}

    def get(self, spec: Spec) -> list[str]:
        if spec == DEFAULT_SPEC:
            return self.default
        cache_key = tuple(spec)
        order = self._cache.get(cache_key)
        if order is None:
            images = self.images
            records = [images[image_id] for image_id in self.default]
            # stable multi-pass sort, least significant key first; reverse=True keeps stability
            for key, direction in reversed(spec):
                records.sort(key=sort_value(key), reverse=direction == "desc")
            order = self._cache[cache_key] = [image["id"] for image in records]
        return order

    def insert(self, image: Image) -> None:
        """A new image joins the default order; every other order is dropped."""
        self.default.insert(position(self.default, self.images, image, DEFAULT_SPEC, after=False), image["id"])
        self.changed()

    def changed(self) -> None:
        self._cache.clear()

    def after_marker(self, order: list[str], spec: Spec, marker: str, caller: Caller) -> int:
        """The first position strictly after the marker image in ``order``."""
        image = self.images.get(marker)
        if image is None or (image["status"] == "deleted" and not caller.is_admin):
            # Glance's admins can see soft-deleted rows, so a deleted marker only fails for other callers
            raise bad(f"No image found with ID {marker}")
        if not caller.may_see(image, self.images.members):
            raise forbidden(f"Forbidding request, image {marker} not visible")
        return position(order, self.images, image, spec, after=True)


# -- the predicate -----------------------------------------------------------------------------------------


def predicate(query: ListRequest, caller: Caller, members: Mapping[str, dict[str, str]]) -> Callable[[Image], bool]:
    """Whether a stored image belongs in this listing (before the limit); bad filter values raise here."""
    checks: list[Callable[[Image], bool]] = []
    hidden = query.os_hidden == "true"
    checks.append(lambda image: image["status"] not in NEVER_LISTED and image["os_hidden"] is hidden)
    if query.protected is not None:
        want = query.protected == "true"
        checks.append(lambda image: image["protected"] is want)
    if not caller.is_admin:
        member_status = query.member_status
        checks.append(lambda image: caller.may_list(image, members, member_status))
    visibility = query.visibility
    if visibility is not None:
        if visibility != "all":
            checks.append(lambda image: image["visibility"] == visibility)
    elif caller.project is None:
        checks.append(lambda image: image["visibility"] != "community")
    else:
        project = caller.project
        checks.append(lambda image: image["owner"] == project or image["visibility"] != "community")
    if query.tags:
        wanted = list(query.tags)
        checks.append(lambda image: all(tag in image["tags"] for tag in wanted))
    for key, value in query.filters.items():
        checks.append(_filter_check(key, value))

    def matches(image: Image) -> bool:
        return all(check(image) for check in checks)

    return matches


def _filter_check(key: str, value: str) -> Callable[[Image], bool]:
    if key.endswith(("_min", "_max")) and key[:-4] in ("size", "virtual_size", "min_ram", "min_disk"):
        column = key[:-4]
        try:
            bound = int(value)
        except ValueError:
            raise bad("Unable to filter on a range with a non-numeric value.") from None
        if key.endswith("_min"):
            return lambda image: image[column] is not None and image[column] >= bound
        return lambda image: image[column] is not None and image[column] <= bound
    if key in ("created_at", "updated_at"):
        op, text = split_filter_op(value)
        try:
            threshold = parse_isotime(text)
        except ValueError:
            raise bad(f'Bad "{key}" query filter format. Use ISO 8601 DateTime notation.') from None
        holds = {
            "gt": lambda a: a > threshold,
            "gte": lambda a: a >= threshold,
            "lt": lambda a: a < threshold,
            "lte": lambda a: a <= threshold,
            "neq": lambda a: a != threshold,
            "eq": lambda a: a == threshold,
        }.get(op)
        if holds is None:
            raise bad("Unable to filter on a unknown operator.")
        return lambda image: holds(image[key])
    if key in ("name", "id", "status", "container_format", "disk_format"):
        op, text = split_filter_op(value)
        if op == "in":
            allowed = set(split_in_values(text))
            return lambda image: image[key] in allowed
        if op == "eq":
            return lambda image: image[key] == text
        raise bad(f"Unable to filter by unknown operator '{op}'.")
    if key in ("size", "virtual_size", "min_ram", "min_disk"):
        # SQLite's integer affinity compares "512" with 512 as equal
        return lambda image: image[key] is not None and str(image[key]) == value.strip()
    if key in ("owner", "checksum", "os_hash_algo", "os_hash_value", "visibility"):
        return lambda image: image[key] == value
    return lambda image: key not in BASE_KEYS and image.get(key) == value
