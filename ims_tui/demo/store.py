"""The demo cloud's state and who may touch it: the lazily seeded image store and the caller with Glance's policy."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

import httpx

from . import seed as seed_data
from .errors import HTTPError, forbidden
from .schema import Image

# image id -> {project: "pending"|"accepted"|"rejected"}
Members = dict[str, dict[str, str]]


class Caller:
    """Who is asking: Glance's "trusted" headers when present, otherwise the noauth admin (no project).

    The policy is Glance 33's secure-RBAC default (glance/policies/, enforce_new_defaults): reading needs the
    ``reader`` role and writing the ``member`` role, on the image's own project. Roles are taken literally, as
    the trusted pipeline does: Keystone would expand ``member`` to ``member,reader`` (implied roles), headers do
    not, so a caller with only ``member`` may write but not read, exactly as on the lab's Glance.
    """

    __slots__ = ("project", "is_admin", "reader", "member")

    def __init__(self, project: str | None, is_admin: bool, roles: frozenset[str] = frozenset()) -> None:
        self.project = project
        self.is_admin = is_admin
        self.reader = "reader" in roles
        self.member = "member" in roles

    @classmethod
    def from_request(cls, request: httpx.Request) -> Caller:
        if request.headers.get("x-identity-status", "").lower() != "confirmed":
            return cls(None, True)
        project = request.headers.get("x-project-id") or request.headers.get("x-tenant-id") or None
        roles = frozenset(role.strip().lower() for role in request.headers.get("x-roles", "").split(","))
        # the lab's policy: context_is_admin = role:admin or project_id:None
        return cls(project, "admin" in roles or project is None, roles)

    def may_see(self, image: Image, members: Mapping[str, dict[str, str]]) -> bool:
        """glance.db.utils.is_image_visible: GET sees shared images of any membership status."""
        if self.is_admin or image["owner"] is None or image["visibility"] in ("public", "community"):
            return True
        if self.project is None:
            return False
        if image["owner"] == self.project:
            return True
        return image["visibility"] == "shared" and self.project in members.get(image["id"], {})

    def may_read(self, image: Image) -> bool:
        """The get_image policy, checked on an image the database already shows the caller (may_see)."""
        if self.is_admin:
            return True
        return self.reader and (image["owner"] == self.project or image["visibility"] != "private")

    def check_readable(self, image: Image) -> None:
        """ImageAPIPolicy.get_image: a bare 404 (webob's default text) when the policy refuses."""
        if not self.may_read(image):
            raise HTTPError(404)

    def may_list(self, image: Image, members: Mapping[str, dict[str, str]], member_status: str) -> bool:
        """What a listing shows a non-admin: public, community and own images, and shared ones by member status."""
        project = self.project
        if image["visibility"] in ("public", "community") or image["owner"] == project:
            return True
        if image["visibility"] != "shared" or project is None:
            return False
        status = members.get(image["id"], {}).get(project)
        return status is not None and (member_status == "all" or status == member_status)

    def check_list(self) -> None:
        """The get_images policy (admin, or reader on one's own project), checked before the listing is read."""
        if not (self.is_admin or self.reader):
            raise forbidden("You are not authorized to complete get_images action.")

    def owns(self, image: Image) -> bool:
        """ADMIN_OR_PROJECT_MEMBER: admin, or the member role on the image's project."""
        return self.is_admin or (self.member and image["owner"] is not None and image["owner"] == self.project)

    def check_mutable(self, image: Image, action: str = "modify_image") -> None:
        """ImageAPIPolicy._enforce for ``action``: 403 naming the action, or 404 if the caller may not even read
        the image (Glance hides what a caller cannot see)."""
        if self.owns(image):
            return
        self.check_readable(image)
        raise forbidden(f"You are not authorized to complete {action} action.")

    def check_create(self, owner: str | None) -> None:
        """ImageAPIPolicy.add_image: the member role, creating for one's own project."""
        if self.is_admin or (self.member and owner is not None and owner == self.project):
            return
        if owner != self.project:
            raise HTTPError(403, detail=f"You are not permitted to create images owned by '{owner}'")
        raise forbidden("You are not authorized to complete add_image action.")

    def check_visibility(self, visibility: Any, owner: str | None) -> None:
        """publicize_image (admin only) and communitize_image (the image's own project member)."""
        if visibility == "public" and not self.is_admin:
            raise forbidden("You are not authorized to complete publicize_image action.")
        if visibility == "community" and not (self.is_admin or (self.member and owner == self.project)):
            raise forbidden("You are not authorized to complete communitize_image action.")


class ImageStore(MutableMapping[str, Image]):
    """id -> image record (API shape, datetimes for timestamps). Seed images are built on first access only,
    so a 100,000-image cloud starts in a fraction of a second; a seed image's memberships arrive with it."""

    def __init__(self, skeleton: list[tuple[str, int]], seed: int, members: Members) -> None:
        self.skeleton = skeleton
        self.seed = seed
        self.members = members
        self._data: dict[str, Image | int] = {image_id: index for index, (image_id, _) in enumerate(skeleton)}

    def _materialize(self, index: int) -> Image:
        image_id, created_ts = self.skeleton[index]
        image, members = seed_data.materialize(self.seed, index, image_id, created_ts)
        if members:
            self.members[image_id] = members
        return image

    def __getitem__(self, image_id: str) -> Image:
        value = self._data[image_id]
        if type(value) is int:
            value = self._data[image_id] = self._materialize(value)
        return value  # type: ignore[return-value]

    def __setitem__(self, image_id: str, image: Image) -> None:
        self._data[image_id] = image

    def __delitem__(self, image_id: str) -> None:
        del self._data[image_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, image_id: object) -> bool:
        return image_id in self._data

    def visible(self, image_id: str, caller: Caller, message: str | None = None) -> Image:
        """The image, unless it is (soft-)deleted or hidden from the caller: then a 404 with ``message``."""
        image = self.get(image_id)
        if image is None or image["status"] == "deleted" or not caller.may_see(image, self.members):
            raise HTTPError(404, message or f"No image found with ID {image_id}")
        return image
