"""The member and task schemas Glance 33 serves (``/v2/schemas/member(s)``, ``/v2/schemas/task(s)``), as the lab's."""

from __future__ import annotations

from typing import Any

from .schema import UUID_PATTERN


def member_schema() -> dict[str, Any]:
    """glance.api.v2.image_members.get_schema(), as Glance 33 serves it (no links)."""
    return {
        "name": "member",
        "properties": {
            "member_id": {"type": "string", "description": "An identifier for the image member (tenantId)"},
            "image_id": {"type": "string", "description": "An identifier for the image", "pattern": UUID_PATTERN},
            "created_at": {"type": "string", "description": "Date and time of image member creation"},
            "updated_at": {"type": "string", "description": "Date and time of last modification of image member"},
            "status": {
                "type": "string",
                "description": "The status of this image member",
                "enum": ["pending", "accepted", "rejected"],
            },
            "schema": {"readOnly": True, "type": "string"},
        },
    }


def members_schema() -> dict[str, Any]:
    return {
        "name": "members",
        "properties": {"members": {"type": "array", "items": member_schema()}, "schema": {"type": "string"}},
        "links": [{"rel": "describedby", "href": "{schema}"}],
    }


def _task_properties(*, collection: bool) -> dict[str, Any]:
    """glance.api.v2.tasks._get_base_properties(); the collection's items leave out input, result and message."""

    def prop(description: str, kind: Any, **extra: Any) -> dict[str, Any]:
        return {"description": description, **extra, "type": kind}

    properties = {
        "id": prop("An identifier for the task", "string", pattern=UUID_PATTERN),
        "type": prop(
            "The type of task represented by this content",
            "string",
            enum=["import", "api_image_import", "location_import"],
        ),
        "status": prop(
            "The current status of this task", "string", enum=["pending", "processing", "success", "failure"]
        ),
        "input": prop("The parameters required by task, JSON blob", ["null", "object"]),
        "result": prop("The result of current task, JSON blob", ["null", "object"]),
        "owner": prop("An identifier for the owner of this task", "string"),
        "message": prop(
            "Human-readable informative message only included when appropriate (usually on failure)", "string"
        ),
        "image_id": prop("Image associated with the task", "string"),
        "request_id": prop("Human-readable informative request-id", "string"),
        "user_id": prop("User associated with the task", "string"),
        "expires_at": prop("Datetime when this resource would be subject to removal", ["null", "string"]),
        "created_at": prop("Datetime when this resource was created", "string"),
        "updated_at": prop("Datetime when this resource was updated", "string"),
        "self": {"readOnly": True, "type": "string"},
        "schema": {"readOnly": True, "type": "string"},
    }
    if collection:
        for key in ("input", "result", "message"):
            del properties[key]
    return properties


def task_schema() -> dict[str, Any]:
    return {"name": "task", "properties": _task_properties(collection=False)}


def tasks_schema() -> dict[str, Any]:
    return {
        "name": "tasks",
        "properties": {
            "tasks": {"type": "array", "items": {"name": "task", "properties": _task_properties(collection=True)}},
            "schema": {"type": "string"},
        },
        "links": [{"rel": "describedby", "href": "{schema}"}],
    }
