"""A pydantic validation error of the config file as the one-line ``ConfigError``: file, key, problem, fix.

Imported only when a file fails validation. The profile models report "does not apply to type" and the rules
across keys as their own errors (profiles.py); this turns each kind into today's wording, with the key's hint
(``HINTS``) as the fix and a "did you mean" for a misspelt key.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import ConfigError
from .profiles import BY_TAG, PROFILE_KEYS, RULE, Settings
from .secrets import SECRET_FIELDS
from .tables import FilterSettings, UiTable
from .values import PROFILE_TYPES, SORT_KEYS
from .views import ViewSettings

# What a correct value looks like, per key: the "fix" half of every validation message.
HINTS: dict[str, str] = {
    "default": 'default must be the name of a [clouds.NAME] profile, e.g. default = "prod"',
    "theme": 'theme must be a Textual theme name, e.g. theme = "textual-dark"',
    "ansi": "ansi must be true or false, e.g. ansi = true",
    "no_mouse": "no_mouse must be true or false, e.g. no_mouse = true",
    "fps": "fps must be a whole number between 1 and 240, e.g. fps = 30",
    "low_bandwidth": "low_bandwidth must be true or false, e.g. low_bandwidth = true",
    "page_size": "page_size must be a whole number between 1 and 1000, e.g. page_size = 200",
    "read_only": "read_only must be true or false, e.g. read_only = true",
    "production": "production must be true or false, e.g. production = true",
    "bulk_concurrency": "bulk_concurrency must be a whole number between 1 and 32, e.g. bulk_concurrency = 4",
    "sort": "sort must be KEY:asc or KEY:desc, comma-separated, keys among "
    + ", ".join(SORT_KEYS)
    + ', e.g. sort = "created_at:desc"',
    "columns": 'columns must be a list of attribute or property names with "name" among them, '
    'e.g. columns = ["name", "status", "os_distro", "size"]',
    "keymap": 'keymap must be a table of binding id = "keys", e.g. keymap = { delete = "ctrl+d,delete" }',
    "type": "type must be one of " + ", ".join(f'"{t}"' for t in PROFILE_TYPES) + f', e.g. type = "{PROFILE_TYPES[0]}"',
    "os_cloud": 'os_cloud must be the name of a cloud in clouds.yaml, e.g. os_cloud = "prod"',
    "endpoint": 'endpoint must be the image service URL, e.g. endpoint = "https://image.example.com:9292"',
    "auth_url": 'auth_url must be the Keystone URL, e.g. auth_url = "https://keystone.example.com:5000/v3"',
    "interface": 'interface must be "public", "internal" or "admin", e.g. interface = "public"',
    "region": 'region must be a region name, e.g. region = "RegionOne"',
    "password": "password must be a string; better: use password_command, or leave it out to be asked",
    "password_command": (
        'password_command must be a string or a list of strings, e.g. password_command = "pass show prod"'
    ),
    "verify": 'verify must be true, false, or the path of a CA bundle, e.g. verify = "/etc/ssl/my-ca.pem"',
    "cacert": 'cacert must be the path of a CA bundle file, e.g. cacert = "/etc/ssl/my-ca.pem"',
    "insecure": "insecure must be true or false, e.g. insecure = false",
    "ims": "ims must be true or false, e.g. ims = true",
    "demo_images": "demo_images must be a whole number between 0 and 1000000, e.g. demo_images = 500",
    "demo_latency": "demo_latency must be a number of seconds between 0 and 10, e.g. demo_latency = 0.2",
    "filters": 'filters must be a table, e.g. filters = { status = "active", visibility = "private" }',
    "visibility": 'visibility must be public, private, shared, community or all, e.g. visibility = "private"',
    "member_status": 'member_status must be accepted, pending, rejected or all, e.g. member_status = "pending"',
    "protected": "protected must be true or false, e.g. protected = true",
    "os_hidden": "os_hidden must be true or false, e.g. os_hidden = true",
    "size_min": "size_min must be a whole number of bytes, e.g. size_min = 1073741824",
    "size_max": "size_max must be a whole number of bytes, e.g. size_max = 10737418240",
    "created_at": (
        "created_at must be OP:ISO-8601 with OP gt, gte, lt, lte, eq or neq, "
        'e.g. created_at = "gte:2026-01-01T00:00:00Z"'
    ),
    "updated_at": (
        "updated_at must be OP:ISO-8601 with OP gt, gte, lt, lte, eq or neq, "
        'e.g. updated_at = "lt:2026-01-01T00:00:00Z"'
    ),
    "properties": 'properties must be a table of strings, e.g. properties = { __os_type = "Linux" }',
    "remember": "remember must be true or false, e.g. remember = false",
    "filter": 'filter must be a filter text in quotes, e.g. filter = "status=active tag=golden size>10G"',
    "profile": 'profile must be the name of a profile, e.g. profile = "prod"',
    "views": 'each view is a table: [views.NAME] with filter, sort, columns, e.g. filter = "status=active"',
}
_STRING_HINT = '{key} must be a string in quotes, e.g. {key} = "..."'
_STRING_LIST_HINT = '{key} must be a string or a list of strings, e.g. {key} = ["a", "b"]'


def _real_path(data: Any, loc: tuple[Any, ...]) -> list[str]:
    """The part of a pydantic error location that names keys of the file (drops union tags like 'list[str]')."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(node, dict) and item in node:
            parts.append(str(item))
            node = node[item]
        elif isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
            node = node[item]
        elif isinstance(node, dict) and isinstance(item, str):
            parts.append(item)  # a missing key: still name it
            break
        else:
            break
    return parts


def _describe(value: Any, field: str) -> str:
    if field in SECRET_FIELDS:
        return f"a {type(value).__name__}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _model_at(parts: list[str], tag: str | None) -> type[BaseModel]:
    if not parts:
        return Settings
    if parts[0] == "ui":
        return UiTable
    if parts[0] == "views" and len(parts) >= 2:
        return ViewSettings
    if parts[0] == "clouds" and len(parts) >= 2:
        if len(parts) >= 3 and parts[2] == "filters":
            return FilterSettings
        return BY_TAG.get(tag or "", BY_TAG[PROFILE_TYPES[0]])
    return Settings


def _where(error: Any, data: dict[str, Any]) -> tuple[list[str], str | None]:
    """The error's key in the file, as parts, and which profile model reported it (its tag) if a profile did."""
    loc, tag = tuple(error["loc"]), None
    if len(loc) >= 3 and loc[0] == "clouds":
        tag, loc = str(loc[2]), loc[:2] + loc[3:]  # the discriminated union puts the model's tag in the path
    parts = _real_path(data, loc)
    if error["type"] == RULE:
        parts.append(error["ctx"]["field"])
    elif error["type"] == "union_tag_invalid":
        parts.append("type")
    return parts, tag


def _unknown(field: str, parts: list[str], tag: str | None) -> tuple[str, str]:
    """(problem, fix) for a key the model at ``parts`` does not declare."""
    if tag is not None and len(parts) == 3 and field in PROFILE_KEYS:
        if tag == "os_cloud":
            return (
                f"{field} can't be combined with os_cloud (the cloud's credentials come from clouds.yaml)",
                "set it in clouds.yaml, or remove os_cloud and configure the profile fully here",
            )
        kind = next((t for t in PROFILE_TYPES if field in BY_TAG[t].model_fields), None)
        return f'{field} does not apply to type = "{tag}"', f'it applies to type = "{kind}"' if kind else "remove it"
    known = list(_model_at(parts[:-1], tag).model_fields)
    close = difflib.get_close_matches(field, PROFILE_KEYS if tag is not None and len(parts) == 3 else known, n=1)
    return "unknown key", f"did you mean {close[0]}?" if close else "remove it; known keys here: " + ", ".join(known)


def explain(error: ValidationError, data: dict[str, Any], path: Path | None) -> ConfigError:
    errors = error.errors(include_url=False)
    first = errors[0]
    parts, tag = _where(first, data)
    key = ".".join(parts) or None
    field = parts[-1].split("[", 1)[0] if parts else ""
    if len(parts) >= 2 and parts[-2] in ("keymap", "properties"):
        field = parts[-2]  # the entry's name is the user's own; the table's rule is what helps
    kind = first["type"]
    value = first.get("input")
    fix: str | None
    if kind == "extra_forbidden":
        problem, fix = _unknown(field, parts, tag)
    elif kind == RULE:
        problem, fix = first["ctx"]["problem"], first["ctx"]["fix"] or HINTS.get(field)
    elif kind == "union_tag_invalid":
        problem, fix = f"{_describe(value.get('type'), field)} is not allowed", HINTS[field]
    elif tag == "os_cloud" and field == "type" and value in PROFILE_TYPES:
        problem = f'os_cloud takes the cloud from clouds.yaml, so type = "{value}" does not apply'
        fix = "remove type from this profile"
    else:
        if kind == "missing":
            problem = "is required"
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            problem = f"{_describe(value, field)} is out of range"
        elif kind.endswith(("_type", "_parsing")) or kind == "is_instance_of":
            problem = f"wrong type: {_describe(value, field)}"
        elif kind == "literal_error":
            problem = f"{_describe(value, field)} is not allowed"
        elif kind == "value_error" and field == "columns":
            problem = str(first["ctx"]["error"])  # parse_columns says what is wrong
        else:
            problem = f"{_describe(value, field)} is not valid"
        fix = HINTS.get(field)
        if len(parts) == 2 and parts[0] == "clouds":
            fix = f"each profile is a table: [clouds.{field}] followed by its keys"
        elif len(parts) == 2 and parts[0] == "views":
            fix = f"each view is a table: [views.{field}] followed by filter, sort, columns"
        elif len(parts) == 1 and parts[0] in ("ui", "clouds", "views"):
            fix = f"{field} must be a table: [{field}]"
        if fix is None:
            many = field in ("status", "tag", "disk_format", "container_format")
            fix = (_STRING_LIST_HINT if many else _STRING_HINT).format(key=field or "value")
    # A union type reports one error per alternative: count distinct keys, not raw errors.
    others = {tuple(_where(e, data)[0]) for e in errors} - {tuple(parts)}
    if others:
        fix = (fix or "") + f"; {len(others)} more problem{'s' if len(others) > 1 else ''} after this one"
    return ConfigError(problem, file=path, key=key, fix=fix)
