"""IMS's native list, ``GET /v2/cloudimages``, as pages the listing can follow like Glance's.

cloudimages answers ``{"images": [...]}`` with no ``next`` link (a client pages by ``marker`` until a page comes
back short) and takes at most 500 a page; its filters are Glance's simple ones plus the ``__`` properties, with
one ``sort_key``/``sort_dir`` and one ``tag``. A query it cannot express (several sort keys or tags, a list of
values, size bounds: its sizes are 0) goes to the Glance list instead, and so does everything once cloudimages has been
refused (404, 400 or 403: an IMS-compatible cloud without the native API, or a policy that allows only Glance).

A mixin of ``ImageClient``: it adds no state to the listing, only a different page source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from .data_calls import DataCalls
from .errors import ApiError
from .query import ListQuery

if TYPE_CHECKING:
    from .image_rows import ImagePage

CLOUDIMAGES_PATH = "/v2/cloudimages"
CLOUDIMAGES_LIMIT_MAX = 500
REFUSED = (400, 403, 404)  # statuses that mean "not here": list through Glance from then on
# The parameters cloudimages takes besides the ``__`` properties (the API reference's request table).
CLOUDIMAGES_PARAMS = frozenset(
    {
        "limit",
        "name",
        "id",
        "status",
        "visibility",
        "owner",
        "member_status",
        "protected",
        "disk_format",
        "container_format",
        "min_ram",
        "min_disk",
        "created_at",
        "updated_at",
        "virtual_env_type",
        "enterprise_project_id",
        "flavor_id",
        "architecture",
        "tag",
        "sort_key",
        "sort_dir",
    }
)


def cloudimages_params(query: ListQuery) -> list[tuple[str, str]] | None:
    """The query as cloudimages parameters, or None when cloudimages cannot express it."""
    if len(query.sort) > 1 or len(query.tags) > 1:
        return None
    params = query.with_changes(sort_style="keys").to_params()
    out: list[tuple[str, str]] = []
    for key, value in params:
        if key not in CLOUDIMAGES_PARAMS and not key.startswith("__"):
            return None
        if value.startswith("in:"):
            return None
        if key == "protected":
            value = {"yes": "true", "no": "false"}.get(value, value)  # Glance's words for it, not IMS's
        if key == "limit":
            value = str(min(int(value), CLOUDIMAGES_LIMIT_MAX))
        out.append((key, value))
    return out


class CloudImageCalls(DataCalls):
    """Mixed into ``ImageClient`` (``DataCalls`` declares the parts of it these calls use);
    ``cloudimages_refused`` remembers that the native list is not available."""

    cloudimages_refused: bool = False

    if TYPE_CHECKING:

        async def list_page(
            self, query: ListQuery | None = None, *, next_link: str | None = None, marker: str | None = None
        ) -> ImagePage: ...

    async def list_native_page(self, query: ListQuery, *, marker: str | None = None) -> ImagePage:
        """One page through cloudimages where it can serve the query, else through Glance (``list_page``).

        A full page gets a ``next`` link made here (the listing follows ``next``); a short one ends the list.
        """
        params = None if self.cloudimages_refused else cloudimages_params(query)
        if params is None:
            return await self.list_page(query, marker=marker)
        if marker is not None:
            params.append(("marker", marker))
        try:
            response = await self._send("GET", self.url(CLOUDIMAGES_PATH), params=params)
        except ApiError as exc:
            if exc.status not in REFUSED or marker is not None:
                raise
            self.cloudimages_refused = True
            return await self.list_page(query, marker=marker)
        from .image_rows import ImagePage  # the page's models: pydantic's, not needed to send (issue 14)

        page = self._parsed(response, ImagePage.parse)
        limit = int(dict(params).get("limit", CLOUDIMAGES_LIMIT_MAX))
        last = page.last_with_id()
        if page.count >= limit and last is not None:
            kept = [(key, value) for key, value in params if key != "marker"]
            page = page.model_copy(update={"next": f"{CLOUDIMAGES_PATH}?{urlencode([*kept, ('marker', last.id)])}"})
        return page
