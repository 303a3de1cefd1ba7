"""What Keystone says about a token (``AuthResult``, without the token itself) and the catalog inside it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..errors import EndpointNotFound, MalformedResponse


@dataclass(frozen=True)
class AuthResult:
    """What Keystone said about a token, without the token itself."""

    token_expires_at: datetime | None
    catalog: list[dict[str, Any]] = field(default_factory=list, repr=False)
    project_id: str | None = None
    project_name: str | None = None
    project_domain_id: str | None = None
    project_domain_name: str | None = None
    user_id: str | None = None
    user_name: str | None = None
    user_domain_id: str | None = None
    user_domain_name: str | None = None
    domain_id: str | None = None
    domain_name: str | None = None
    roles: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    issued_at: datetime | None = None

    @classmethod
    def from_body(cls, body: Any) -> AuthResult:
        token = body.get("token") if isinstance(body, dict) else None
        if not isinstance(token, dict):
            raise MalformedResponse("Keystone's token response has no 'token' object", status=201)

        def sub(obj: Any, key: str) -> dict[str, Any]:
            value = obj.get(key) if isinstance(obj, dict) else None
            return value if isinstance(value, dict) else {}

        def text(obj: dict[str, Any], key: str) -> str | None:
            value = obj.get(key)
            return value if isinstance(value, str) else None

        project, user, domain = sub(token, "project"), sub(token, "user"), sub(token, "domain")
        catalog = token.get("catalog")
        roles = token.get("roles")
        methods = token.get("methods")
        return cls(
            token_expires_at=parse_time(token.get("expires_at")),
            catalog=[c for c in catalog if isinstance(c, dict)] if isinstance(catalog, list) else [],
            project_id=text(project, "id"),
            project_name=text(project, "name"),
            project_domain_id=text(sub(project, "domain"), "id"),
            project_domain_name=text(sub(project, "domain"), "name"),
            user_id=text(user, "id"),
            user_name=text(user, "name"),
            user_domain_id=text(sub(user, "domain"), "id"),
            user_domain_name=text(sub(user, "domain"), "name"),
            domain_id=text(domain, "id"),
            domain_name=text(domain, "name"),
            roles=tuple(r["name"] for r in roles if isinstance(r, dict) and isinstance(r.get("name"), str))
            if isinstance(roles, list)
            else (),
            methods=tuple(m for m in methods if isinstance(m, str)) if isinstance(methods, list) else (),
            issued_at=parse_time(token.get("issued_at")),
        )


def parse_time(value: Any) -> datetime | None:
    """Keystone's ISO 8601 times (``2025-01-01T00:00:00.000000Z``) as aware UTC datetimes."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


@dataclass(frozen=True)
class CatalogEndpoint:
    url: str
    service_type: str
    interface: str
    region: str | None
    service_name: str | None = None


def find_endpoint(
    catalog: Iterable[dict[str, Any]],
    service_type: str = "image",
    interface: str = "public",
    region: str | None = None,
) -> CatalogEndpoint:
    """The first endpoint of ``service_type`` for ``interface`` (and ``region``), or an error listing what exists."""
    catalog = list(catalog)
    services = [s for s in catalog if s.get("type") == service_type]
    if not services:
        offered = sorted({str(s.get("type")) for s in catalog if s.get("type")})
        raise EndpointNotFound(
            f"the service catalog has no '{service_type}' service"
            + (f" (it lists: {', '.join(offered)})" if offered else " (it is empty: is the token scoped to a project?)")
            + "; ask the cloud operator, or set the image endpoint explicitly"
        )
    wanted = interface.lower().removesuffix("url")  # v2-style "publicURL" means "public"
    endpoints: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for service in services:
        items = service.get("endpoints")
        for ep in items if isinstance(items, list) else []:
            if isinstance(ep, dict) and isinstance(ep.get("url"), str):
                endpoints.append((service, ep))
    on_interface = [(s, ep) for s, ep in endpoints if str(ep.get("interface", "")).lower() == wanted]
    if not on_interface:
        others = sorted({str(ep.get("interface")) for _, ep in endpoints if ep.get("interface")})
        raise EndpointNotFound(
            f"the '{service_type}' service has no {wanted} endpoint"
            + (f" (it has: {', '.join(others)}); set the interface to one of those" if others else "")
        )

    def region_of(ep: dict[str, Any]) -> str | None:
        found = ep.get("region_id") or ep.get("region")
        return str(found) if found else None

    chosen = on_interface
    if region:
        chosen = [(s, ep) for s, ep in on_interface if region_of(ep) == region]
        if not chosen:
            regions = sorted({r for _, ep in on_interface if (r := region_of(ep))})
            raise EndpointNotFound(
                f"no {wanted} '{service_type}' endpoint in region '{region}'"
                + (f"; regions that have one: {', '.join(regions)}" if regions else "; no endpoint names a region")
            )
    service, ep = chosen[0]
    name = service.get("name")
    return CatalogEndpoint(
        url=str(ep["url"]),
        service_type=service_type,
        interface=wanted,
        region=region_of(ep),
        service_name=name if isinstance(name, str) else None,
    )
