"""The image API layer: models, client, paging, errors and the edit-to-patch engine. Never imports Textual."""

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
from .listing import ImageListing, PagingError
from .models import DateFilter, Image, ImagePage, ImageRow, ListQuery
from .outcome import Outcome, settle_create, settle_delete, settle_update, update_state
from .patch import PatchError, diff

__all__ = [
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
