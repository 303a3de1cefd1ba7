"""The image API layer: models, client, paging, errors and the edit-to-patch engine. Never imports Textual."""

from .auth import NoAuth, TokenAuth
from .client import PATCH_MEDIA_TYPE, ImageClient, normalize_endpoint
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
    "normalize_endpoint",
]
