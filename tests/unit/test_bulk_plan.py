"""The bulk plan (api/bulk.py): every image once, either with exactly the requests that make the change, or left out
with a reason; never a request that the image's state makes pointless or that the server must refuse."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ims_tui.api.bulk import KINDS, BulkAction, Target, build_plan, parse_argument
from ims_tui.api.features import ServerFeatures
from ims_tui.api.models import Image
from ims_tui.api.outcome import apply_ops

TAGS = st.sampled_from(["a", "b", "prod", "web", "café"])
PROPS = st.dictionaries(st.sampled_from(["os_distro", "hw_disk_bus", "team"]), st.sampled_from(["x", "y", ""]))


@st.composite
def images(draw: st.DrawFn) -> Image:
    return Image.model_validate(
        {
            "id": draw(st.uuids()).hex,
            "name": draw(st.sampled_from(["one", "two", None])),
            "status": draw(st.sampled_from(["active", "deactivated", "queued", "killed", "pending_delete"])),
            "visibility": draw(st.sampled_from(["private", "shared", "public"])),
            "protected": draw(st.booleans()),
            **({} if (hidden := draw(st.sampled_from([None, True, False]))) is None else {"os_hidden": hidden}),
            "owner": draw(st.sampled_from(["mine", "theirs"])),
            "tags": draw(st.lists(TAGS, unique=True, max_size=3)),
            **draw(PROPS),
        }
    )


@st.composite
def targets(draw: st.DrawFn) -> list[Target]:
    found = [Target.of(image) for image in draw(st.lists(images(), max_size=8))]
    if draw(st.booleans()):
        found.append(Target("?bad-1", None, problem="the server sent it broken: size is not a number"))
    return draw(st.permutations(found))


MEMBER_KINDS = ("share", "unshare", "accept", "reject")
ACTIONS = st.one_of(
    st.sampled_from(
        [BulkAction(kind) for kind, info in KINDS.items() if not info.argument and kind not in MEMBER_KINDS]
    ),
    st.builds(
        BulkAction, st.sampled_from(["add_tags", "remove_tags"]), st.lists(TAGS, min_size=1, unique=True).map(tuple)
    ),
    st.builds(
        BulkAction,
        st.just("set_property"),
        st.tuples(st.sampled_from(["os_distro", "team"]), st.sampled_from(["x", "z"])),
    ),
    st.builds(BulkAction, st.just("remove_property"), st.tuples(st.sampled_from(["os_distro", "team"]))),
    st.builds(BulkAction, st.just("visibility"), st.tuples(st.sampled_from(["private", "shared", "community"]))),
)


MEMBER_ACTIONS = st.one_of(
    st.sampled_from([BulkAction("accept"), BulkAction("reject")]),
    st.builds(
        BulkAction,
        st.sampled_from(["share", "unshare"]),
        st.lists(st.sampled_from(["p1", "p2", "mine"]), min_size=1, unique=True).map(tuple),
    ),
)


@given(st.one_of(ACTIONS, MEMBER_ACTIONS), targets(), st.sampled_from([None, "mine"]))
def test_every_image_is_planned_or_left_out_once_in_order(
    action: BulkAction, found: list[Target], project: str | None
) -> None:
    plan = build_plan(action, found + found[:2], project_id=project)  # a repeated mark counts once
    planned = [step.image_id for step in plan.steps]
    left = [item.image_id for item in plan.left_out]
    assert sorted(planned + left) == sorted(target.image_id for target in found)
    order = [target.image_id for target in found]
    assert planned == [i for i in order if i in planned] and left == [i for i in order if i in left]
    assert all(item.reason for item in plan.left_out)
    assert plan.title.startswith(f"{action.info.verb} {len(plan.steps)} image")


@given(ACTIONS, targets(), st.sampled_from([None, "mine"]))
def test_the_ops_make_exactly_the_change_asked(action: BulkAction, found: list[Target], project: str | None) -> None:
    plan = build_plan(action, found, project_id=project)
    for step in plan.steps:
        assert step.before is not None
        before = step.before
        (request,) = step.requests
        if project is not None:
            assert before.owner == project
        if action.kind == "delete":
            assert (request.method, request.call) == ("DELETE", "delete") and not before.protected
            continue
        if action.kind in ("deactivate", "reactivate"):
            assert request.method == "POST" and request.path.endswith(f"/actions/{action.kind}")
            assert before.status == ("active" if action.kind == "deactivate" else "deactivated")
            continue
        assert request.method == "PATCH" and request.ops
        after = apply_ops(list(request.ops), before.to_dict())
        touched = ("tags", "protected", "os_hidden", "visibility", *action.argument[:1])
        untouched = {key for key in after if key not in touched}
        assert all(after[key] == before.to_dict()[key] for key in untouched)
        if action.kind == "add_tags":
            assert set(after["tags"]) == set(before.tags) | set(action.argument)
        elif action.kind == "remove_tags":
            assert set(after["tags"]) == set(before.tags) - set(action.argument)
        elif action.kind in ("protect", "unprotect"):
            assert after["protected"] is (action.kind == "protect")
        elif action.kind in ("hide", "unhide"):
            assert after["os_hidden"] is (action.kind == "hide")
        elif action.kind == "visibility":
            assert after["visibility"] == action.argument[0]
        elif action.kind == "set_property":
            assert after[action.argument[0]] == action.argument[1]
        else:
            assert action.argument[0] not in after


@given(ACTIONS, targets())
def test_an_image_already_in_that_state_is_left_out(action: BulkAction, found: list[Target]) -> None:
    plan = build_plan(action, found)
    planned = {step.image_id for step in plan.steps}
    for target in found:
        image = target.image
        if image is None:
            assert target.image_id not in planned  # a broken row is never acted on
            continue
        arg = action.argument
        already = {
            "delete": image.status == "pending_delete",
            "add_tags": set(arg) <= set(image.tags),
            "remove_tags": not set(arg) & set(image.tags),
            "protect": image.protected is True,
            "unprotect": image.protected is False,
            "hide": image.os_hidden is True,
            "unhide": image.os_hidden is not True,
            "visibility": image.visibility == (arg[0] if arg else None),
            "set_property": bool(arg) and image.properties.get(arg[0]) == arg[-1],
            "remove_property": bool(arg) and arg[0] not in image.properties,
            "deactivate": image.status != "active",
            "reactivate": image.status != "deactivated",
        }[action.kind]
        if already or (action.kind == "delete" and image.protected):
            assert image.id not in planned


def test_the_reasons_say_why_in_plain_words() -> None:
    protected = Image(id="p", name="keep", status="active", protected=True, owner="mine")
    theirs = Image(id="t", status="active", owner="theirs")
    gone = Target("g", "old", problem="gone: the image no longer exists", gone=True)
    plan = build_plan(BulkAction("delete"), [Target.of(protected), Target.of(theirs), gone], project_id="mine")
    assert plan.steps == ()
    assert [item.reason for item in plan.left_out] == [
        "protected: unprotect it first",
        "not the owner: project theirs owns it",
        "gone: the image no longer exists",
    ]
    assert plan.title == "Delete 0 images"
    read_only = build_plan(BulkAction("set_property", ("status", "x")), [Target.of(theirs)])
    assert read_only.left_out[0].reason == "status: is read-only and cannot be changed"


def test_deactivate_is_left_out_everywhere_when_the_server_lacks_it() -> None:
    old = ServerFeatures(version=(2, 2))
    plan = build_plan(BulkAction("deactivate"), [Target.of(Image(id="a", status="active"))], features=old)
    assert plan.left_out[0].reason == "deactivate and reactivate needs image API v2.3; this server offers v2.2"


def test_a_plan_shows_the_requests_and_ops_it_sends() -> None:
    image = Image(id="i-1", name="web", status="active", tags=["a"])
    plan = build_plan(BulkAction("add_tags", ("prod",)), [Target.of(image)])
    (request,) = plan.steps[0].requests
    assert request.line() == "PATCH /v2/images/i-1"
    assert request.op_lines() == ['replace /tags = ["a", "prod"]']
    assert plan.title == "Add tags to 1 image: add tags prod"


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("add_tags", " prod, web ,prod ", ("prod", "web")),
        ("set_property", "os_distro = ubuntu", ("os_distro", "ubuntu")),
        ("remove_property", "os_distro", ("os_distro",)),
        ("visibility", "shared", ("shared",)),
        ("share", "p1 p2,p1", None),
        ("unshare", "4c7a1b2f9e8d4c3b8a7f6e5d4c3b2a19", ("4c7a1b2f9e8d4c3b8a7f6e5d4c3b2a19",)),
        ("delete", "", ()),
    ],
)
def test_arguments_are_read_as_typed(kind: str, text: str, expected: tuple[str, ...] | None) -> None:
    if expected is None:
        with pytest.raises(ValueError, match="given twice"):
            parse_argument(kind, text)  # type: ignore[arg-type]
        return
    assert parse_argument(kind, text) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "text", "words"),
    [
        ("add_tags", " , ", "type one tag"),
        ("set_property", "novalue", "key=value"),
        ("set_property", "status=active", "read-only"),
        ("set_property", "name=x", "base attribute"),
        ("set_property", "os_glance_x=1", "reserved"),
        ("remove_property", "protected", "base attribute"),
        ("visibility", "secret", "one of public"),
        ("add_tags", "", "type a value"),
        ("share", "p1 p1", "given twice"),
        ("share", "no/such", "not a project id"),
    ],
)
def test_a_bad_argument_is_refused_before_any_plan(kind: str, text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_argument(kind, text)  # type: ignore[arg-type]


@given(MEMBER_ACTIONS, targets(), st.sampled_from([None, "mine"]))
def test_member_requests_share_only_what_the_owner_may_and_answer_only_others_shares(
    action: BulkAction, found: list[Target], project: str | None
) -> None:
    plan = build_plan(action, found, project_id=project)
    for step in plan.steps:
        image, requests = step.before, list(step.requests)
        assert image is not None
        if action.kind in ("accept", "reject"):
            assert project is not None and image.owner != project and image.visibility == "shared"
            (request,) = requests
            status = "accepted" if action.kind == "accept" else "rejected"
            assert request.line() == f'PUT /v2/images/{image.id}/members/{project} {{"status": "{status}"}}'
            continue
        assert project is None or image.owner == project
        if action.kind == "share" and image.visibility != "shared":
            switch = requests.pop(0)  # Glance takes members only while shared: the switch comes first
            assert switch.ops == ({"op": "replace", "path": "/visibility", "value": "shared"},)
        assert [request.member for request in requests] == list(action.argument)
        assert {request.method for request in requests} == {"POST" if action.kind == "share" else "DELETE"}
        assert image.owner not in action.argument or action.kind == "unshare"
    if project is None and action.kind in ("accept", "reject"):
        readable = [item for item in plan.left_out if item.image_id != "?bad-1"]
        assert plan.steps == () and all("project id" in item.reason for item in readable)


def test_a_share_shows_the_switch_to_shared_and_the_members_added() -> None:
    image = Image(id="i-1", status="active", visibility="private", owner="mine")
    plan = build_plan(BulkAction("share", ("p1", "p2")), [Target.of(image)], project_id="mine")
    assert [request.line() for request in plan.steps[0].requests] == [
        "PATCH /v2/images/i-1",
        'POST /v2/images/i-1/members {"member": "p1"}',
        'POST /v2/images/i-1/members {"member": "p2"}',
    ]
    assert plan.title == "Share 1 image: share with projects p1, p2"


def test_hide_and_unhide_patch_os_hidden_and_leave_out_what_is_so_already() -> None:
    hidden = Image.model_validate({"id": "h", "status": "active", "os_hidden": True})
    shown = Image.model_validate({"id": "s", "status": "active", "os_hidden": False})
    bare = Image(id="b", status="active")  # IMS and Glance < 2.7 send no os_hidden
    theirs = Image.model_validate({"id": "t", "status": "active", "os_hidden": False, "owner": "theirs"})
    found = [Target.of(image) for image in (hidden, shown, bare, theirs)]
    hide = build_plan(BulkAction("hide"), found, project_id="mine")
    assert hide.title == "Hide 2 images"
    assert [step.image_id for step in hide.steps] == ["s", "b"]
    assert {line for step in hide.steps for line in step.requests[0].op_lines()} == {"replace /os_hidden = true"}
    assert [(item.image_id, item.reason) for item in hide.left_out] == [
        ("h", "already hidden"),
        ("t", "not the owner: project theirs owns it"),
    ]
    unhide = build_plan(BulkAction("unhide"), found)
    assert [step.image_id for step in unhide.steps] == ["h"]
    assert unhide.steps[0].requests[0].op_lines() == ["replace /os_hidden = false"]
    assert {item.reason for item in unhide.left_out} == {"already not hidden"}


def test_hide_is_left_out_everywhere_when_the_server_has_no_os_hidden() -> None:
    old = ServerFeatures(version=(2, 6))
    plan = build_plan(BulkAction("hide"), [Target.of(Image(id="a", status="active"))], features=old)
    assert plan.steps == () and plan.left_out[0].reason.startswith("hidden images (os_hidden) needs image API v2.7")
