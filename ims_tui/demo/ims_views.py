"""How IMS shows an image, and the filters of its native list (``GET /v2/cloudimages``).

IMS keeps Glance's image record but says more about it in ``__`` properties (``__imagetype``, ``__platform``,
``__os_type``, ``__os_version``, ``__isregistered``, ``__image_size``, ``__support_*``) and ``virtual_env_type``;
its Glance-compatible calls do not give ``size`` or ``checksum`` (null: the real size is ``__image_size``), while
the cloudimages list shows them as 0 and the MD5 of nothing, as in the API reference's example. Seed images that
the Glance demo leaves without these properties get them here, derived from what they have.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from .schema import Image

EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"
_HEX = re.compile(r"^[0-9a-fA-F]{8}")
MAX_LIMIT = 500  # cloudimages: at most 500 images a page, and 500 when no limit is given

# os_distro -> (__platform, __os_type), for seed images that came without IMS properties
_PLATFORMS = {
    "ubuntu": ("Ubuntu", "Linux"),
    "debian": ("Debian", "Linux"),
    "centos": ("CentOS", "Linux"),
    "rhel": ("RedHat", "Linux"),
    "rocky": ("Rocky", "Linux"),
    "almalinux": ("AlmaLinux", "Linux"),
    "fedora": ("Fedora", "Linux"),
    "opensuse": ("OpenSUSE", "Linux"),
    "sles": ("SUSE", "Linux"),
    "windows": ("Windows", "Windows"),
    "freebsd": ("Other", "Other"),
}


def image_type(image: Image, project: str | None, members: Mapping[str, dict[str, str]]) -> str:
    """``gold`` (public), ``private`` (the caller's own, not shared) or ``shared``."""
    if image["visibility"] in ("public", "community"):
        return "gold"
    if image["owner"] == project and not members.get(image["id"]):
        return "private"
    return "shared"


def ims_traits(image: Image) -> dict[str, str]:
    """The environment and ``__support_*`` flags IMS gives an image, which the Glance seed does not know.

    Drawn from the id, so each image keeps them and every documented value is listed by some image: an ISO is
    an ``IsoImage``; about one in eleven a ``DataImage``, one in thirteen ``Ironic`` (bare metal), the rest
    ``FusionCompute``; one in five boots on Xen only, the rest on KVM; some support the disk-intensive,
    high-performance or large-memory flavors.
    """
    match = _HEX.match(str(image["id"]))
    digest = int(match.group(), 16) if match else 0
    if image.get("disk_format") == "iso":
        env = "IsoImage"
    elif digest % 11 == 0:
        env = "DataImage"
    elif digest % 13 == 0:
        env = "Ironic"
    else:
        env = "FusionCompute"
    traits = {"virtual_env_type": env, "__support_xen" if digest % 5 == 0 else "__support_kvm": "true"}
    for flag, every in (("diskintensive", 3), ("highperformance", 7), ("largememory", 17)):
        if digest % every == 1:
            traits[f"__support_{flag}"] = "true"
    return traits


def ims_view(view: Image, image: Image, project: str | None, members: Mapping[str, dict[str, str]]) -> Image:
    """A Glance view (``schema.image_view``) as IMS's Glance-compatible calls show it."""
    out = dict(view)
    size = image.get("size")
    # an image whose size was never recorded gets no __image_size (the list shows a blank, not "0 B")
    image_size = image.get("__image_size") or (None if size is None else str(size))
    platform, os_type = _PLATFORMS.get(str(image.get("os_distro") or "").lower(), ("Other", "Other"))
    out.setdefault("__imagetype", image_type(image, project, members))
    out.setdefault("__platform", platform)
    out.setdefault("__os_type", os_type)
    out.setdefault("__os_version", f"{platform} {image.get('os_version') or ''} 64bit".replace("  ", " "))
    out.setdefault("__os_bit", "64")
    out.setdefault("__isregistered", "true")
    for key, value in ims_traits(image).items():
        out.setdefault(key, value)
    if image_size is not None:
        out["__image_size"] = image_size
    out["size"] = None
    out["checksum"] = None
    out["visibility"] = "public" if image["visibility"] == "community" else image["visibility"]
    for key in ("os_hidden", "os_hash_algo", "os_hash_value", "stores"):
        out.pop(key, None)  # not part of IMS's v2.2
    return out


def cloudimage_view(view: Image) -> Image:
    """An IMS view as ``GET /v2/cloudimages`` lists it: size 0 and the empty checksum instead of null."""
    out = dict(view)
    out["size"] = 0
    out["checksum"] = EMPTY_MD5
    return out


# -- the cloudimages filters --------------------------------------------------------------------------------

_DATE_OPS: dict[str, Callable[[datetime, datetime], bool]] = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "eq": lambda a, b: a == b,
    "neq": lambda a, b: a != b,
}
# the flavors the simulator knows: flavor_id -> min_ram the image may need at most (MB) and min_disk (GB)
FLAVORS = {"s6.small.1": (1024, 40), "s6.large.2": (4096, 100), "c6.2xlarge.4": (32768, 1024)}
ARCHITECTURES = {"x86": "x86_64", "arm": "aarch64"}
EXACT_KEYS = (
    "__imagetype",
    "__platform",
    "__os_type",
    "__isregistered",
    "__os_bit",
    "__whole_image",
    "virtual_env_type",
    "enterprise_project_id",
    "id",
    "name",
    "status",
    "visibility",
    "owner",
    "container_format",
    "disk_format",
    "protected",
    "min_ram",
    "min_disk",
    "member_status",
)
SORT_KEYS = frozenset({"created_at", "name", "container_format", "disk_format", "status", "id", "size", "updated_at"})
_SORT_RE = re.compile(r"^[a-z_]+$")


class ImsError(Exception):
    """An IMS refusal: its body is ``{"error": {"code": "IMG.0024", "message": ...}}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "code": self.code}}


def _date(text: str, key: str) -> tuple[Callable[[datetime, datetime], bool], datetime]:
    op, _, stamp = text.partition(":")
    if op not in _DATE_OPS or not stamp:
        raise ImsError(400, "IMG.0001", f"The {key} filter is invalid: use an operator (gt, gte, lt, lte, eq, neq)")
    try:
        moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise ImsError(
            400, "IMG.0001", f"The {key} filter is invalid: the time is not like 2018-10-28T10:00:00Z"
        ) from None
    return _DATE_OPS[op], moment


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


Test = Callable[[Image, Image], bool]  # (stored image, its IMS view) -> whether it is listed


def _on_date(key: str, op: Callable[[datetime, datetime], bool], moment: datetime) -> Test:
    return lambda image, view: op(image[key], moment)


def _on_flavor(ram: int, disk: int) -> Test:
    return lambda image, view: image["min_ram"] <= ram and image["min_disk"] <= disk


def _on_architecture(wanted: str | None) -> Test:
    return lambda image, view: image.get("architecture") == wanted


def _on_tag(tag: str) -> Test:
    return lambda image, view: tag in image.get("tags", ())


def _on_value(key: str, value: str) -> Test:
    return lambda image, view: _text(view.get(key, "")) == value


def cloudimages_filter(params: Mapping[str, str]) -> Test:
    """A predicate on (stored image, IMS view) for the query; unknown parameters are ignored, as IMS does."""
    tests: list[Test] = []
    for key, value in params.items():
        if key in ("marker", "limit", "sort_key", "sort_dir"):
            continue
        if key in ("created_at", "updated_at"):
            tests.append(_on_date(key, *_date(value, key)))
        elif key == "__imagetype" and value not in ("gold", "private", "shared", "market"):
            raise ImsError(400, "IMG.0024", "The imagetype is invalid.")
        elif key == "flavor_id":
            if value not in FLAVORS:
                raise ImsError(400, "IMG.0001", f"The flavor {value} does not exist.")
            tests.append(_on_flavor(*FLAVORS[value]))
        elif key == "architecture":
            tests.append(_on_architecture(ARCHITECTURES.get(value)))
        elif key == "tag":
            tests.append(_on_tag(value))
        elif key in EXACT_KEYS or key.startswith("__support_"):
            tests.append(_on_value(key, value))
    return lambda image, view: all(test(image, view) for test in tests)


def page_limit(params: Mapping[str, str]) -> int:
    text = params.get("limit")
    if text is None:
        return MAX_LIMIT
    if not text.isdigit() or not 0 < int(text) <= MAX_LIMIT:
        raise ImsError(400, "IMG.0001", f"The limit is invalid: a whole number from 1 to {MAX_LIMIT}.")
    return int(text)


def sort_spec(params: Mapping[str, str]) -> tuple[str, bool]:
    """(key, descending): created_at, newest first, unless asked otherwise."""
    key = params.get("sort_key", "created_at")
    direction = params.get("sort_dir", "desc")
    if key not in SORT_KEYS or direction not in ("asc", "desc") or not _SORT_RE.match(key):
        raise ImsError(400, "IMG.0001", "The sort_key or sort_dir is invalid.")
    return key, direction == "desc"
