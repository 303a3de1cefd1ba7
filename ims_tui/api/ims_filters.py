"""IMS's list filters beyond Glance's, declared once: the ``GET /v2/cloudimages`` parameters and their values.

They travel as custom-property filters (``ListQuery.properties``: ``__imagetype=gold``), which is what they are
on the wire for cloudimages and for IMS's Glance-compatible list alike, so a query keeps one shape whichever list
serves it. The filter grammar (``filter_text``) checks the values of the ``closed`` ones (IMS refuses or matches
nothing for any other), and the filter panel (``ui/filter_model.py``) offers ``choices`` on IMS sessions only.
The non-``__`` ones (``architecture``, ``virtual_env_type``, ...) are ordinary words a Glance image may carry
as properties with other values (``architecture=x86_64``), so the grammar never refuses those.

Values are the IMS API reference's ("Querying Images", ``GET /v2/cloudimages``); dates use the generic
``created``/``updated`` keys, sent as ``created_at=gt:2026-01-01T00:00:00Z`` (gt, gte, lt, lte, eq, neq).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .image_rows import ImageRow

IMAGE_TYPES = ("gold", "private", "shared", "market")
PLATFORMS = (
    "Windows",
    "Ubuntu",
    "RedHat",
    "SUSE",
    "CentOS",
    "Debian",
    "OpenSUSE",
    "Oracle Linux",
    "Fedora",
    "Other",
    "CoreOS",
    "EulerOS",
)
OS_TYPES = ("Linux", "Windows", "Other")
VIRTUAL_ENV_TYPES = ("FusionCompute", "Ironic", "DataImage", "IsoImage")
ARCHITECTURES = ("x86", "arm")
# __support_<flag>=true: what the image's OS supports (the flavor families it may boot on)
SUPPORT_FLAGS = ("kvm", "xen", "largememory", "diskintensive", "highperformance", "xen_hana", "kvm_infiniband")


@dataclass(frozen=True)
class ImsFilter:
    """One IMS list parameter: its name, the words the panel shows, and the values IMS documents for it."""

    param: str
    label: str
    choices: tuple[str, ...] = ()  # () for free text (ids, names)
    closed: bool = False  # IMS knows no other value: the grammar refuses one

    @property
    def example(self) -> str:
        value = self.choices[0] if self.choices else self.label.upper().replace(" ", "_")
        return f'{self.param}="{value}"' if " " in value else f"{self.param}={value}"


IMS_FILTERS: tuple[ImsFilter, ...] = (
    ImsFilter("__imagetype", "image type", IMAGE_TYPES, closed=True),
    ImsFilter("__platform", "platform", PLATFORMS),  # the reference's list; newer regions add more
    ImsFilter("__os_type", "OS type", OS_TYPES, closed=True),
    ImsFilter("__isregistered", "registered", ("true", "false"), closed=True),
    *(ImsFilter(f"__support_{flag}", f"supports {flag}", ("true",), closed=True) for flag in SUPPORT_FLAGS),
    ImsFilter("__support_kvm_gpu_type", "KVM GPU type"),
    ImsFilter("__support_xen_gpu_type", "Xen GPU type"),
    ImsFilter("virtual_env_type", "environment", VIRTUAL_ENV_TYPES),
    ImsFilter("architecture", "architecture", ARCHITECTURES),
    ImsFilter("flavor_id", "flavor"),
    ImsFilter("enterprise_project_id", "enterprise project"),
)
BY_PARAM = {row.param: row for row in IMS_FILTERS}


def value_problem(param: str, value: str) -> str | None:
    """Why IMS would not take ``value`` for ``param``, or None (also for a parameter that is not IMS's)."""
    row = BY_PARAM.get(param)
    if row is None or not row.closed or value in row.choices:
        return None
    return f'IMS knows no {param} "{value}" (use {" or ".join(row.choices)})'


GUESS_FROM = 50  # the first rows a session of unknown kind is judged by


def session_is_ims(known: bool | None, rows: Sequence[ImageRow]) -> bool:
    """Whether a session is IMS's: as its info says, else as its first rows read (``listed_by_ims``)."""
    if known is not None:
        return known
    return listed_by_ims(row.image_type for row in rows[:GUESS_FROM])  # not fooled by a hand-set property


def listed_by_ims(image_types: Iterable[str | None]) -> bool:
    """Whether a list of images reads as IMS's: on IMS every image has an ``__imagetype`` it documents.

    One image with such a property says nothing: on a Glance it is a property like any other, set by hand or
    carried over from an IMS export.
    """
    seen = False
    for kind in image_types:
        if kind not in IMAGE_TYPES:
            return False
        seen = True
    return seen
