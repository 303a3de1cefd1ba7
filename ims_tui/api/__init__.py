"""The image API layer: models, client, paging, errors and the edit-to-patch engine. Never imports Textual.

What the UI builds on for flaky links and hostile clouds (issue 9):

- ``ApiError.one_line()`` (status first, request id last), ``.describe()`` (the full error, one fact a line),
  ``.status_phrase``; ``.outcome_unknown``: a write that may have been applied; never repeat it, settle it.
- ``ImageClient.create(attributes, image_id=new_image_id())``: keep one id across the user's retries.
- ``settle_create/settle_update/settle_delete`` (outcome.py) → ``Outcome(state, image, error, check_error)``,
  ``Outcome.message()`` for the words.
- ``ImageRow.problem``/``.raw``/``.actionable``: a list entry that did not parse (act only when actionable;
  ``ImageClient.get_text`` for its raw view).
- ``ImageClient.members/add_member/remove_member/set_member_status`` (member_calls.py): lost answers settled with a
  GET of the member; refusals (403, 404, 409, 413) in plain words; ``SessionInfo.project_id`` is who "I" am.
- ``ApiError.needs_reload`` (StaleMarker, PagingError): ``r`` must reload the list, not retry the page.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .auth import NoAuth, TokenAuth
    from .client import PATCH_MEDIA_TYPE, ImageClient, new_image_id, normalize_endpoint
    from .errors import (
        ApiError,
        AuthError,
        BadRequest,
        Conflict,
        CredentialsError,
        EndpointNotFound,
        Forbidden,
        MalformedResponse,
        NetworkError,
        NotFound,
        ReadOnlyError,
        ServerError,
        StaleMarker,
        TooLarge,
        Unauthorized,
        UnsupportedMediaType,
    )
    from .image_rows import ImagePage, ImageRow
    from .listing import ImageListing, PagingError
    from .members import MEMBER_STATUSES, Member
    from .models import Image
    from .outcome import Outcome, settle_create, settle_delete, settle_update, update_state
    from .patch import PatchError, diff
    from .query import DateFilter, ListQuery

# Each name is imported from its module when first asked for: the first request needs only the client, the
# listing and the query, not every call's models and plans (issue 14).
_HOMES = {
    "auth": ("NoAuth", "TokenAuth"),
    "client": ("PATCH_MEDIA_TYPE", "ImageClient", "new_image_id", "normalize_endpoint"),
    "errors": (
        "ApiError",
        "AuthError",
        "BadRequest",
        "Conflict",
        "CredentialsError",
        "EndpointNotFound",
        "Forbidden",
        "MalformedResponse",
        "NetworkError",
        "NotFound",
        "ReadOnlyError",
        "ServerError",
        "StaleMarker",
        "TooLarge",
        "Unauthorized",
        "UnsupportedMediaType",
    ),
    "image_rows": ("ImagePage", "ImageRow"),
    "listing": ("ImageListing", "PagingError"),
    "members": ("MEMBER_STATUSES", "Member"),
    "models": ("Image",),
    "outcome": ("Outcome", "settle_create", "settle_delete", "settle_update", "update_state"),
    "patch": ("PatchError", "diff"),
    "query": ("DateFilter", "ListQuery"),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "MEMBER_STATUSES",
    "PATCH_MEDIA_TYPE",
    "ApiError",
    "AuthError",
    "BadRequest",
    "Conflict",
    "CredentialsError",
    "DateFilter",
    "EndpointNotFound",
    "Forbidden",
    "Image",
    "ImageClient",
    "ImageListing",
    "ImagePage",
    "ImageRow",
    "ListQuery",
    "MalformedResponse",
    "Member",
    "NetworkError",
    "NoAuth",
    "NotFound",
    "Outcome",
    "PagingError",
    "PatchError",
    "ReadOnlyError",
    "ServerError",
    "StaleMarker",
    "TokenAuth",
    "TooLarge",
    "Unauthorized",
    "UnsupportedMediaType",
    "diff",
    "new_image_id",
    "normalize_endpoint",
    "settle_create",
    "settle_delete",
    "settle_update",
    "update_state",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # asked once: later lookups find it without coming here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
