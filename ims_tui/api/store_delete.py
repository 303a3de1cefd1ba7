"""Deleting an image's data from one store of a multi-store server (Glance API 2.10+), and what a lost answer did.

    problem = removal_problem(image, features)           # None, or why it cannot be done, in words
    result = await delete_from_store(client, image, "fast")
    result.state                                          # "done", "not_done" or "unknown"; never resent

``DELETE /v2/stores/{store}/{id}`` removes only that store's copy: the image stays active and keeps its data in
the other stores. Glance refuses it for the last store that holds the data (403, "Cannot delete image data from
the only store containing it") and for an image that is not ``active`` (409); it is an admin action on Glance's
default policy (``delete_image_location``). The store list is the image's ``stores`` property ("fs,fast").
When the answer is lost, one GET decides: the store gone from ``stores`` means done, still there not done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .errors import ApiError, NotFound, timed_out
from .imports import import_state
from .models import Image

if TYPE_CHECKING:
    from .client import ImageClient
    from .features import ServerFeatures

State = Literal["done", "not_done", "unknown"]
MEANING = (
    "Only that store's copy of the data is removed: the image stays active and keeps its data in the other "
    "stores. Glance refuses to remove the last copy (delete the image instead). Many clouds allow this to "
    "admins only."
)


def stores_of(image: Image) -> tuple[str, ...]:
    """The stores that hold the image's data, as the image says (its ``stores`` property)."""
    return import_state(image).stores


def removal_problem(image: Image, features: ServerFeatures) -> str | None:
    """Why no store's copy of ``image`` can be removed here, in words an operator acts on; None when one can."""
    if not features.has("delete_from_store"):
        return features.why_not("delete_from_store")
    if image.status != "active":
        return f"only an active image's data can be removed from a store; this one is {image.status or 'unknown'}"
    held = stores_of(image)
    if len(held) < 2:
        where = f"only in {held[0]}" if held else "in no store the server names"
        return f"the image is {where}: Glance keeps its last copy; delete the image instead (d)"
    if import_state(image).running:
        return "an import or copy of this image is still running: wait for it to finish"
    return None


@dataclass(frozen=True)
class StoreDeleteResult:
    """What became of one delete from ``store``. ``image``: the image as read afterwards (None when the read
    failed or found it gone); ``error``: the delete's own failure; ``check_error``: the checking GET's."""

    image_id: str
    store: str
    state: State
    image: Image | None = None
    error: ApiError | None = None
    check_error: ApiError | None = None

    @property
    def still_working(self) -> bool:
        return timed_out(self.error)

    def message(self) -> str:
        left = ", ".join(stores_of(self.image)) if self.image is not None else ""
        kept = f"; its data stays in {left}" if left else ""
        if self.state == "done" and self.error is not None:
            return f"Deleted from {self.store}: the answer was lost, but the image is no longer there{kept}"
        if self.state == "done":
            return f"Deleted from {self.store}{kept}"
        why = f" ({self.error.one_line()})" if self.error is not None else ""
        if self.state == "not_done" and self.still_working:
            return (
                f"Not deleted from {self.store} so far{why}: the image service may still be working on it; "
                "check again before trying again"
            )
        if self.state == "not_done":
            return f"Not deleted from {self.store}: the image still shows it there{why}"
        checking = f"; checking failed too ({self.check_error.one_line()})" if self.check_error else ""
        return f"Maybe deleted from {self.store}, maybe not{why}{checking}: check again before trying again"


async def delete_from_store(client: ImageClient, image: Image, store: str) -> StoreDeleteResult:
    """Send the delete once and read the image afterwards. A refusal raises (nothing was removed); a lost answer
    comes back settled by that read, never resent."""
    try:
        await client.delete_from_store(store, image.id)
    except ApiError as exc:
        if not exc.outcome_unknown:
            raise
        return await settle(client, image.id, store, exc)
    return await settle(client, image.id, store, None)


async def settle(client: ImageClient, image_id: str, store: str, error: ApiError | None) -> StoreDeleteResult:
    """One GET: ``store`` gone from the image's stores is done, still listed is not done, no answer unknown."""
    try:
        fresh = await client.get(image_id)
    except NotFound as exc:
        return StoreDeleteResult(image_id, store, "unknown", None, error, exc)
    except ApiError as exc:
        if error is None:  # the delete worked; only the read after it failed
            return StoreDeleteResult(image_id, store, "done", None, None, exc)
        return StoreDeleteResult(image_id, store, "unknown", None, error, exc)
    # a 204 is the server's word; after a lost answer the image's store list is
    state: State = "not_done" if error is not None and store in stores_of(fresh) else "done"
    return StoreDeleteResult(image_id, store, state, fresh, error)
