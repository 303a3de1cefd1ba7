"""The image form's pure logic: values <-> attributes, and the rules it shares with the patch engine."""

from __future__ import annotations

import string
from dataclasses import fields
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ims_tui.api.models import CONTAINER_FORMATS, DISK_FORMATS, EDITABLE_BASE, READ_ONLY, RESERVED, VISIBILITIES
from ims_tui.api.patch import diff
from ims_tui.ui.form_merge import three_way
from ims_tui.ui.form_model import (
    FORM_FIELDS,
    FormSchema,
    FormValues,
    PropertyRow,
    default_values,
    parse_tags,
    shown,
    tags_text,
    validate,
    values_from_image,
)

# Text an operator can type that Glance stores: printable, no control characters (those are covered by the edit
# round-trip), nothing beyond U+FFFF (a create refuses it: test_a_create_refuses_what_glance_refuses_...).
typed = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs"), max_codepoint=0xFFFF), max_size=40)
tag = typed.map(str.strip).filter(lambda t: t and "," not in t)
prop_key = (
    st.text(alphabet=string.ascii_letters + string.digits + "_:.-", min_size=1, max_size=30)
    .filter(lambda k: k not in EDITABLE_BASE and k not in READ_ONLY and k not in RESERVED)
    .filter(lambda k: not k.startswith("os_glance_"))
)


@st.composite
def form_values(draw: st.DrawFn) -> FormValues:
    props = draw(st.dictionaries(prop_key, typed, max_size=6))
    return FormValues(
        name=draw(typed),
        disk_format=draw(st.sampled_from((None, *DISK_FORMATS))),
        container_format=draw(st.sampled_from((None, *CONTAINER_FORMATS))),
        visibility=draw(st.sampled_from(VISIBILITIES)),
        min_disk=str(draw(st.integers(0, 2**31 - 1))),
        min_ram=str(draw(st.integers(0, 2**31 - 1))),
        protected=draw(st.booleans()),
        tags=tags_text(draw(st.lists(tag, unique=True, max_size=5))),
        properties=[PropertyRow(key, value) for key, value in sorted(props.items())],
    )


@given(form_values())
def test_form_to_attributes_to_form_round_trips(values: FormValues) -> None:
    attributes, errors = validate(values, mode="create")
    assert not errors
    back = values_from_image(attributes)
    back.visibility = back.visibility or values.visibility
    assert back.comparable() == values.comparable()


@given(form_values())
def test_create_body_has_glance_types(values: FormValues) -> None:
    attributes, _ = validate(values, mode="create")
    assert isinstance(attributes["min_disk"], int) and not isinstance(attributes["min_disk"], bool)
    assert isinstance(attributes["min_ram"], int)
    assert attributes.get("protected", False) is values.protected
    for row in values.properties:
        assert isinstance(attributes[row.key], str)
    assert all(isinstance(t, str) for t in attributes.get("tags", []))


# An image as the server may send it: control characters in names, commas in tags, non-string property values.
server_text = st.text(max_size=30)


@st.composite
def server_images(draw: st.DrawFn) -> dict[str, Any]:
    image: dict[str, Any] = {
        "name": draw(st.none() | server_text.filter(lambda s: len(s) <= 255)),
        "visibility": draw(st.sampled_from(VISIBILITIES)),
        "protected": draw(st.none() | st.booleans()),
        "os_hidden": draw(st.booleans()),
        "disk_format": draw(st.none() | st.sampled_from(DISK_FORMATS)),
        "container_format": draw(st.none() | st.sampled_from(CONTAINER_FORMATS)),
        "min_disk": draw(st.integers(0, 100)),
        "min_ram": draw(st.integers(0, 100000)),
        "tags": draw(st.lists(st.text(min_size=1, max_size=10), unique=True, max_size=4)),
        "owner": draw(st.none() | st.text(max_size=10)),
    }
    props = draw(
        st.dictionaries(
            st.text(min_size=1, max_size=12).filter(lambda k: k not in image and k not in READ_ONLY),
            st.one_of(server_text, st.integers(), st.booleans(), st.none()),
            max_size=5,
        )
    )
    image.update(props)
    return image


@given(server_images())
def test_an_untouched_edit_form_sends_nothing(image: dict[str, Any]) -> None:
    schema = FormSchema()
    values = values_from_image(image, schema)
    after, errors = validate(values, mode="edit", schema=schema, before=image)
    assert not errors, errors
    assert diff(image, after) == []
    assert three_way(image, image, after).after == image


reserved_key = st.one_of(
    st.sampled_from(sorted(RESERVED | READ_ONLY | set(EDITABLE_BASE))),
    st.text(max_size=20).map(lambda s: "os_glance_" + s),
)


@given(reserved_key, typed, st.sampled_from(["create", "edit"]))
def test_every_reserved_read_only_or_base_key_is_refused_next_to_its_row(key: str, value: str, mode: str) -> None:
    before = {"name": "x", "min_disk": 0, "min_ram": 0, "tags": [], "protected": False}
    values = FormValues(min_disk="0", min_ram="0", properties=[PropertyRow("ok", "1"), PropertyRow(key, value)])
    _, errors = validate(values, mode=mode, before=before if mode == "edit" else None)  # type: ignore[arg-type]
    assert ("key", 1) in errors.rows
    assert ("key", 0) not in errors.rows


def test_min_ram_must_be_a_whole_number() -> None:
    values = default_values()
    values.min_ram = "abc"
    values.min_disk = "-1"
    _, errors = validate(values, mode="create")
    assert errors.fields["min_ram"] == "must be a whole number, not 'abc'"
    assert errors.fields["min_disk"] == "cannot be negative"
    values.min_ram = "1_000"
    _, errors = validate(values, mode="create")
    assert "min_ram" in errors.fields


def test_name_longer_than_255_is_refused() -> None:
    values = default_values()
    values.name = "n" * 256
    _, errors = validate(values, mode="create")
    assert "at most 255" in errors.fields["name"]


def test_property_rows_duplicates_empty_keys_and_blank_rows() -> None:
    values = default_values()
    values.properties = [
        PropertyRow("a", "1"),
        PropertyRow("", ""),  # blank: ignored
        PropertyRow("a", "2"),
        PropertyRow("", "orphan value"),
        PropertyRow("name", "x"),
    ]
    attributes, errors = validate(values, mode="create")
    assert errors.rows == {
        ("key", 2): "duplicate: also in row 1",
        ("key", 3): "a property needs a name",
        ("key", 4): "is a base attribute: use the Name field",
    }
    assert attributes["a"] == "1"


def test_tags_parse_trim_and_dedupe_and_a_new_order_is_no_change() -> None:
    assert parse_tags(" a, b ,,a, c ") == ["a", "b", "c"]
    before = {"tags": ["x", "y"], "min_disk": 0, "min_ram": 0}
    values = values_from_image(before)
    values.tags = "y, x"
    after, errors = validate(values, mode="edit", before=before)
    assert not errors
    assert after["tags"] == ["x", "y"]


def test_schema_enums_skip_null_and_known_properties_are_checked() -> None:
    schema = FormSchema.from_schema(
        {
            "properties": {
                "disk_format": {"enum": [None, "raw", "qcow2"], "type": ["null", "string"]},
                "kernel_id": {"type": ["null", "string"], "pattern": "^[0-9a-f-]{36}$"},
                "status": {"readOnly": True, "type": "string"},
                "__os_type": {"readOnly": True, "type": "string"},
            }
        }
    )
    assert schema.disk_formats == ("raw", "qcow2")
    assert schema.container_formats == CONTAINER_FORMATS
    assert schema.is_read_only("__os_type") and not schema.is_read_only("kernel_id")
    values = default_values()
    values.disk_format = "vmdk"
    values.properties = [PropertyRow("kernel_id", "not-a-uuid"), PropertyRow("__os_type", "Linux")]
    _, errors = validate(values, mode="create", schema=schema)
    assert "disk_format" in errors.fields
    assert ("value", 0) in errors.rows
    # read-only per the schema, but only on an image that has it: typing it in a create form is a key error
    before = {"__os_type": "Linux", "min_disk": 0, "min_ram": 0, "tags": []}
    edit = values_from_image(before, schema)
    assert edit.properties == []  # shown read-only, not in the editor
    edit.properties = [PropertyRow("__os_type", "Windows")]
    _, errors = validate(edit, mode="edit", schema=schema, before=before)
    assert errors.rows[("key", 0)] == "is read-only on this image"


def test_ims_creates_private_and_never_changes_visibility() -> None:
    values = default_values(ims=True)
    values.visibility = "public"  # cannot happen through the form; the rule must hold anyway
    attributes, errors = validate(values, mode="create", ims=True)
    assert not errors and attributes["visibility"] == "private"
    before = {"visibility": "shared", "min_disk": 0, "min_ram": 0, "tags": []}
    after, _ = validate(values_from_image(before), mode="edit", ims=True, before=before)
    assert diff(before, after) == []


def test_a_text_field_shows_escape_codes_visibly() -> None:
    assert shown("a\x1b[31mb\x07") == "a\\x1b[31mb\\x07"
    assert shown("[bold]x[/]") == "[bold]x[/]"


def test_edit_keeps_untouched_odd_values_and_changes_edited_ones() -> None:
    before = {"name": "evil\x1b[2J", "min_disk": 0, "min_ram": 0, "tags": ["a,b"], "count": 3, "old": "v"}
    values = values_from_image(before)
    assert values.name == "evil\\x1b[2J"
    assert diff(before, validate(values, mode="edit", before=before)[0]) == []
    values.properties = [row for row in values.properties if row.key != "old"]
    values.properties.append(PropertyRow("new", "1"))
    values.name = "clean"
    ops = diff(before, validate(values, mode="edit", before=before)[0])
    assert ops == [
        {"op": "replace", "path": "/name", "value": "clean"},
        {"op": "add", "path": "/new", "value": "1"},
        {"op": "remove", "path": "/old"},
    ]


def test_the_field_table_declares_every_base_field_the_form_holds() -> None:
    assert [spec.key for spec in FORM_FIELDS] + ["properties"] == [f.name for f in fields(FormValues)]
    assert {spec.key for spec in FORM_FIELDS} <= set(EDITABLE_BASE)
    schema = FormSchema()
    for spec in FORM_FIELDS:
        assert (spec.kind == "choice") == (spec.choices_from is not None), spec.key
        if spec.choices_from is not None:
            assert getattr(schema, spec.choices_from), spec.key


def test_filling_from_an_image_gives_each_kind_of_field_its_text() -> None:
    image = {"name": "n\x1b", "disk_format": "", "visibility": "shared", "min_disk": None, "min_ram": 512}
    values = values_from_image({**image, "protected": None, "tags": ["b", "a"]})
    assert (values.name, values.disk_format, values.visibility) == ("n\\x1b", None, "shared")
    assert (values.min_disk, values.min_ram, values.protected, values.tags) == ("", "512", False, "b, a")


# -- a create refuses what Glance refuses, before sending ----------------------------------------------------

EMOJI = "web-\U0001f600"


@pytest.mark.parametrize(
    ("values", "where"),
    [
        (FormValues(name=EMOJI), "name"),
        (FormValues(name="x" * 256), "name"),
        (FormValues(tags=f"ok, {EMOJI}"), "tags"),
        (FormValues(tags="t" * 256), "tags"),
        (FormValues(min_ram="2147483648"), "min_ram"),
        (FormValues(min_disk="-1"), "min_disk"),
        (FormValues(properties=[PropertyRow(key=EMOJI, value="v")]), ("key", 0)),
        (FormValues(properties=[PropertyRow(key="k" * 256, value="v")]), ("key", 0)),
        (FormValues(properties=[PropertyRow(key="k", value=EMOJI)]), ("value", 0)),
    ],
)
def test_a_create_refuses_what_glance_refuses_beside_the_field(values: FormValues, where: Any) -> None:
    attributes, errors = validate(values, mode="create")
    found = errors.rows if isinstance(where, tuple) else errors.fields
    assert list(found) == [where] and len(errors) == 1, errors


def test_a_create_takes_the_limits_themselves() -> None:
    values = FormValues(name="x" * 255, tags="t" * 255, min_ram="2147483647", min_disk="0")
    values.properties = [PropertyRow(key="k" * 255, value="\u00e9\u4e2d")]
    attributes, errors = validate(values, mode="create")
    assert not errors, errors
    assert attributes["min_ram"] == 2147483647 and attributes["k" * 255] == "\u00e9\u4e2d"


def test_an_edit_keeps_an_emoji_name_it_leaves_alone() -> None:
    before = {"name": EMOJI, "visibility": "private", "tags": [], "min_ram": 0, "min_disk": 0}
    values = values_from_image(before, FormSchema())
    attributes, errors = validate(values, mode="edit", before=before)
    assert not errors and diff(before, attributes) == []
