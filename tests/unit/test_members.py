"""The member calls' pure parts: what the user typed as project ids, the plain words of a refusal, and the
project id a session knows itself by (what accepting a share needs)."""

from __future__ import annotations

import pytest

from ims_tui.api.errors import ApiError, Conflict, Forbidden, NotFound, ServerError, TooLarge
from ims_tui.api.huawei import huawei_session
from ims_tui.api.members import Member, check_status, explain, split_project_ids
from ims_tui.api.session import SessionInfo
from ims_tui.config.plans import DemoPlan, PlanCommon
from ims_tui.config.sessions import open_session
from ims_tui.demo import DEMO_PROJECT_ID

KEYSTONE_ID = "4f9a1c2e7b3d4e5f8a6b9c0d1e2f3a4b"


def test_project_ids_split_on_spaces_and_commas_in_order() -> None:
    text = f" {KEYSTONE_ID}, proj-b\tproj_c,,  6f1e0c7a-1b2c-4d3e-9f8a-7b6c5d4e3f2a "
    ids, problems = split_project_ids(text)
    assert ids == [KEYSTONE_ID, "proj-b", "proj_c", "6f1e0c7a-1b2c-4d3e-9f8a-7b6c5d4e3f2a"]
    assert problems == []


def test_project_ids_that_cannot_be_sent_are_named_and_left_out() -> None:
    ids, problems = split_project_ids("ok-1 bad/id ok-1 member-1 ünï " + "x" * 65, existing=["member-1"])
    assert ids == ["ok-1"]
    assert problems[0].startswith("'bad/id' is not a project id")
    assert problems[1:3] == ["ok-1 is given twice", "member-1 is already a member"]
    assert "is not a project id" in problems[3] and "is not a project id" in problems[4]
    assert split_project_ids("  ,  ") == ([], [])


def test_a_status_outside_the_three_is_a_value_error() -> None:
    assert check_status("accepted") == "accepted"
    with pytest.raises(ValueError, match="not 'Accepted'"):
        check_status("Accepted")


@pytest.mark.parametrize(
    ("error", "action", "start"),
    [
        (Forbidden("Not allowed to create members for image i."), "add", "HTTP 403 Forbidden: not allowed to share"),
        (Conflict("Member p is duplicated for image i"), "add", "HTTP 409 Conflict: project p is already a member"),
        (TooLarge("Image member limit exceeded"), "add", "HTTP 413 Request Entity Too Large: the image has as many"),
        (NotFound("p not found in the member list"), "remove", "HTTP 404 Not Found: project p is not a member"),
        (Forbidden("Not allowed to update members"), "status", "HTTP 403 Forbidden: not allowed to answer this share"),
        (NotFound("Image i not found."), "status", "HTTP 404 Not Found: this image is not shared with project p"),
    ],
)
def test_refusals_are_explained_status_first_with_the_servers_words_after(
    error: ApiError, action: str, start: str
) -> None:
    said = error.message
    error.request_id = "req-1"
    line = explain(error, action, "p").one_line()  # type: ignore[arg-type]
    assert line.startswith(start)
    assert line.endswith(f"; the server said: {said} · request id req-1")


def test_errors_without_plain_words_are_left_as_they_are() -> None:
    error = ServerError("boom", status=500)
    assert explain(error, "add", "p").message == "boom"
    assert explain(Conflict("x"), "remove", "p").message == "x"


def test_a_member_keeps_keys_it_does_not_know() -> None:
    member = Member.parse(
        {"member_id": "p", "image_id": "i", "status": "pending", "schema": "/v2/schemas/member", "x_extra": 1}
    )
    assert member.to_dict()["x_extra"] == 1 and member.to_dict()["schema"] == "/v2/schemas/member"


def test_sessions_know_their_project_id_when_something_says_it() -> None:
    demo = open_session(DemoPlan.of(PlanCommon(name="demo"), images=5, latency=None))
    assert demo.info.project_id == DEMO_PROJECT_ID
    signed = huawei_session(SessionInfo(cloud="hw"), region="cn-north-4", ak="AK1234567", sk="s", project_id="p-1")
    assert signed.info.project_id == "p-1"
    assert SessionInfo(cloud="plain").project_id is None
