"""What the server can do, found out once per session: the UI asks this value, never the version numbers.

    features = await client.features(ims=session.info.ims)    # cached on the client after the first call
    if features.deactivate: ...                                # show the action
    else: status(features.why_not("deactivate"))               # "deactivate needs image API v2.3; ..."

Glance's API versions (glance/api/versions.py and the api-ref): 2.3 deactivate/reactivate, 2.6 interoperable
import, 2.7 ``os_hidden`` and the ``os_hash_*`` multihash, 2.8 multiple stores (``/v2/info/stores``), 2.9
copy-image, 2.10 deleting an image from one store, 2.12 an image's tasks. Huawei IMS answers v2.2 at most and
documents ``PUT .../file`` for images under 128 GB, and no import.

The import methods and stores come from ``GET /v2/info/import`` and ``GET /v2/info/stores``: a server that
advertises 2.6 may still have import switched off, and a single-store one answers 404 for stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .errors import ApiError, NotFound
from .imports import StoreInfo
from .models import newest_version

if TYPE_CHECKING:
    from .client import ImageClient

Feature = Literal["deactivate", "hidden", "import", "stores", "copy", "delete_from_store", "tasks", "upload"]
# the API version each feature arrived in
SINCE: dict[Feature, tuple[int, int]] = {
    "upload": (2, 0),
    "deactivate": (2, 3),
    "import": (2, 6),
    "hidden": (2, 7),
    "stores": (2, 8),
    "copy": (2, 9),
    "delete_from_store": (2, 10),
    "tasks": (2, 12),
}
IMS_MAX_UPLOAD = 128 * 1024**3  # Huawei IMS: PUT .../file only for images under 128 GB


@dataclass(frozen=True)
class ServerFeatures:
    """Abilities of one image service. ``version``: the newest API version it offers; ``import_methods`` and
    ``stores``: what its info calls listed (empty when it has none or did not answer); ``max_upload``: the
    largest file ``PUT .../file`` takes, None when unlimited as far as anyone says."""

    version: tuple[int, int] = (2, 0)
    ims: bool = False
    import_methods: tuple[str, ...] = ()
    stores: tuple[StoreInfo, ...] = ()
    max_upload: int | None = None
    info_error: str | None = None  # why the info calls could not be read, when they failed

    def has(self, feature: Feature) -> bool:
        if self.ims and feature != "upload":
            return False
        if self.version < SINCE[feature]:
            return False
        if feature == "import":
            return bool(self.import_methods)
        if feature == "copy":
            return "copy-image" in self.import_methods and len(self.stores) > 1
        if feature in ("stores", "delete_from_store"):
            return len(self.stores) > 1
        return True

    @property
    def deactivate(self) -> bool:
        return self.has("deactivate")

    @property
    def hidden(self) -> bool:
        return self.has("hidden")

    @property
    def default_store(self) -> str | None:
        return next((store.id for store in self.stores if store.default), None)

    def offers(self, method: str) -> bool:
        """Whether ``method`` (glance-direct, web-download, copy-image) can be used here."""
        return self.has("import") and method in self.import_methods and (method != "copy-image" or self.has("copy"))

    def upload_problem(self, size: int) -> str | None:
        """Why a file of ``size`` bytes cannot be uploaded here, or None."""
        if self.max_upload is not None and size >= self.max_upload:
            return f"this cloud takes uploads under {self.max_upload // 1024**3} GB; the file has {size:,} bytes"
        return None

    def why_not(self, feature: Feature) -> str:
        """Plain words for a feature this server lacks (empty when it has it)."""
        if self.has(feature):
            return ""
        name = FEATURE_WORDS[feature]
        if self.ims:
            return f"Huawei IMS has no {name} (it offers the Glance API v2.2 and file upload only)"
        since = SINCE[feature]
        version = f"{self.version[0]}.{self.version[1]}"
        if self.version < since:
            return f"{name} needs image API v{since[0]}.{since[1]}; this server offers v{version}"
        if feature == "import":
            why = f" ({self.info_error})" if self.info_error else ""
            return f"this server has no import method enabled{why}"
        if feature == "copy" and "copy-image" not in self.import_methods:
            return "this server does not enable the copy-image import method"
        return f"this server has one store only: {name} needs several"


FEATURE_WORDS: dict[Feature, str] = {
    "upload": "upload",
    "deactivate": "deactivate and reactivate",
    "hidden": "hidden images (os_hidden)",
    "import": "interoperable import",
    "stores": "multiple stores",
    "copy": "copy to other stores",
    "delete_from_store": "deleting data from one store",
    "tasks": "image tasks",
}


async def discover(client: ImageClient, *, ims: bool | None = False) -> ServerFeatures:
    """Ask the server once: its versions, then (where the version has them) its import methods and stores.

    A failing info call does not fail discovery: the feature is then off, and ``info_error`` says why; a
    failing version list does raise (nothing else can be decided without it).
    """
    newest = newest_version(await client.versions())
    version = newest.number if newest is not None else (2, 0)
    if ims:
        return ServerFeatures(version=min(version, (2, 2)), ims=True, max_upload=IMS_MAX_UPLOAD)
    methods: tuple[str, ...] = ()
    stores: tuple[StoreInfo, ...] = ()
    problem: str | None = None
    if version >= SINCE["import"]:
        try:
            methods = await client.import_methods()
        except ApiError as exc:
            problem = f"the import information could not be read: {exc.one_line()}"
    if version >= SINCE["stores"]:
        try:
            stores = await client.stores()
        except NotFound:
            stores = ()  # "Multi backend is not supported at this site."
        except ApiError as exc:
            problem = problem or f"the store list could not be read: {exc.one_line()}"
    return ServerFeatures(version=version, import_methods=methods, stores=stores, info_error=problem)
