"""Known secrets never leave the process: not to the terminal, not to the debug log, not to any file it writes.

Each test runs the installed ``ims-tui --debug`` in a real pseudo-terminal (bench/ptyrun.py) against the Keystone
lab, with HOME and the XDG directories inside tmp_path, and drives a whole session by key presses: first row,
moving, detail, raw JSON, help, a request Glance refuses, the request log (its entries opened, the token
requests among them), quit. Then every byte the terminal received (Textual draws on stderr, so that is stdout and
stderr both), every log file and every other file under the temporary HOME is searched for each secret and its
obvious encodings. The log must also show the requests it made, so a test cannot pass because nothing was logged.
"""

from __future__ import annotations

import base64
import json
import re
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus

import httpx
import pytest

from bench.ptyrun import PtyProgram, terminal_env, visible_text
from tools.openstack_lab import Account, KeystoneLab

pytestmark = pytest.mark.keystone

IMS_TUI = str(Path(sys.executable).parent / "ims-tui")
# '/' and '+' make the URL-quoted and base64 forms differ from the plain text.
SECRET = "S3cr3t-Pa55/7f3a+91"
WRONG_IN_FILE = "Wr0ng-Pa55/9b2c+44"
WRONG_TYPED = "Typ3d-Wr0ng/51a7+e0"
FERNET = re.compile(rb"gAAAAA[A-Za-z0-9_=-]{20,}")
AUTH_HEADER_VALUE = re.compile(rb"X-(?:Auth|Subject)-Token['\"]?\s*[:=]\s*['\"]?(?!\*\*\*)[^\s'\"]", re.IGNORECASE)
ESC, ENTER = b"\x1b", b"\r"


def encodings(secret: str) -> dict[str, bytes]:
    """The secret as it could be written out by accident: plain, quoted, escaped, hex, base64 at any alignment."""
    raw = secret.encode()
    forms = {
        "plain": raw,
        "url-quoted": quote(secret, safe="").encode(),
        "form-quoted": quote_plus(secret).encode(),
        "json": json.dumps(secret)[1:-1].encode(),
        "hex": raw.hex().encode(),
    }
    for name, encode in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
        for shift in range(3):
            # The secret inside a longer base64 text: only the characters that depend on it alone are fixed.
            encoded = encode(b"\0" * shift + raw)
            forms[f"{name}+{shift}"] = encoded[4 if shift else 0 : -4]
    return forms


def leaks(data: bytes, secrets: list[str]) -> list[str]:
    found = []
    for secret in secrets:
        for form, needle in encodings(secret).items():
            if needle and needle in data:
                found.append(f"{secret!r} ({form})")
    return found


# ------------------------------------------------------------------------------------------------ the lab


@dataclass
class LeakLab:
    lab: KeystoneLab
    user: Account
    private_name: str  # an image of the user's project
    public_name: str  # a public image of another project: the user may see it, not delete it
    image_ids: list[str] = field(default_factory=list)


def _admin(lab: KeystoneLab) -> httpx.Client:
    token = lab.keystone.token(lab.admin)
    return httpx.Client(base_url=lab.keystone_url.rstrip("/") + "/", headers={"X-Auth-Token": token}, timeout=30)


def _one_id(http: httpx.Client, kind: str, name: str) -> str:
    items = http.get(kind, params={"name": name}).json()[kind]
    assert len(items) == 1, items
    return str(items[0]["id"])


@pytest.fixture(scope="module")
def leak_lab(keystone_lab: KeystoneLab) -> Iterator[LeakLab]:
    """A user whose password is SECRET (member of the demo project), and two images it can see."""
    suffix = uuid.uuid4().hex[:8]
    user = Account(f"leak-{suffix}", SECRET, keystone_lab.demo.project_name)
    with _admin(keystone_lab) as admin:
        created = admin.post(
            "users", json={"user": {"name": user.username, "password": SECRET, "domain_id": "default"}}
        )
        assert created.status_code == 201, created.text
        user_id = created.json()["user"]["id"]
        project_id = _one_id(admin, "projects", user.project_name)
        role_id = _one_id(admin, "roles", "member")
        granted = admin.put(f"projects/{project_id}/users/{user_id}/roles/{role_id}")
        assert granted.status_code == 204, granted.text
    leak = LeakLab(keystone_lab, user, f"leak-private-{suffix}", f"leak-public-{suffix}")
    glance = keystone_lab.glance_url.rstrip("/")
    owners = ((leak.private_name, user, "private"), (leak.public_name, keystone_lab.admin, "public"))
    for name, account, visibility in owners:
        token = keystone_lab.keystone.token(account)
        response = httpx.post(
            f"{glance}/v2/images",
            json={"name": name, "disk_format": "raw", "container_format": "bare", "visibility": visibility},
            headers={"X-Auth-Token": token},
        )
        assert response.status_code == 201, response.text
        leak.image_ids.append(response.json()["id"])
    try:
        yield leak
    finally:
        admin_token = keystone_lab.keystone.token(keystone_lab.admin)
        for image_id in leak.image_ids:
            httpx.delete(f"{glance}/v2/images/{image_id}", headers={"X-Auth-Token": admin_token})
        with _admin(keystone_lab) as admin:
            admin.delete(f"users/{user_id}")


# -------------------------------------------------------------------------------------------- the session


@dataclass
class Session:
    """One ims-tui run in a pty with a private HOME; ``ours`` are the files the test wrote (secrets on purpose)."""

    home: Path
    program: PtyProgram
    ours: set[Path] = field(default_factory=set)

    @property
    def log_dir(self) -> Path:
        return self.home / ".local" / "state" / "ims-tui" / "log"

    def expect(self, pattern: str, since: int = 0, timeout: float = 30.0) -> None:
        if self.program.wait_for_text(pattern, timeout, since=since) is None:
            tail = visible_text(bytes(self.program.output[-4000:]))
            raise AssertionError(f"{pattern!r} never showed on the terminal; last output:\n{tail}")

    def press(self, keys: bytes, then: str | None = None, timeout: float = 30.0) -> None:
        """Type ``keys``; with ``then``, wait until that text is drawn by what they caused."""
        mark = len(self.program.output)
        self.program.send(keys)
        if then is not None:
            self.expect(then, since=mark, timeout=timeout)
        else:
            self.program.read_until_quiet(0.3, timeout)


def new_home(tmp_path: Path, clouds: str | None = None, secure: str | None = None) -> tuple[Path, set[Path]]:
    home = tmp_path / "home"
    config = home / ".config" / "openstack"
    config.mkdir(parents=True)
    ours: set[Path] = set()
    for name, text in (("clouds.yaml", clouds), ("secure.yaml", secure)):
        if text is not None:
            path = config / name
            path.write_text(text)
            path.chmod(0o600)
            ours.add(path)
    return home, ours


def start(home: Path, ours: set[Path], *args: str) -> Session:
    env = terminal_env(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_RUNTIME_DIR=str(home / "run"),
    )
    program = PtyProgram([IMS_TUI, "--debug", *args], env).start()
    return Session(home, program, ours)


def quit_app(session: Session) -> None:
    session.program.quit(b"q", timeout=20)
    assert session.program.exit_status == 0, visible_text(bytes(session.program.output[-4000:]))


def find(session: Session, name: str) -> None:
    """The quick filter: "/" first, and only once its field shows, the text (see test_journeys' typeahead test)."""
    session.press(b"/", then="filter loaded rows")
    session.press(name.encode() + ENTER, then=f"quick filter: '{name}'")


def browse_and_fail(session: Session, leak: LeakLab, *, logged_in: bool = True) -> None:
    """First row; j/k; the private image's detail and raw JSON; help; then a delete Glance refuses (403)."""
    session.expect(leak.private_name[:20])
    session.press(b"jjk")
    find(session, leak.private_name)
    session.press(ENTER, then="checksum")  # the detail screen (80 columns: full screen)
    session.press(b"y", then='"visibility"')  # raw JSON of the same image
    session.press(ESC, then="checksum")
    session.press(ESC)
    session.press(b"?", then="Keys")
    session.press(ESC)
    session.press(ESC)  # clears the quick filter
    find(session, leak.public_name)
    session.press(b"d", then="Delete image")
    session.expect("y or the Delete button")
    session.press(b"y", then="Not deleted")
    session.press(ESC)
    look_at_request_log(session, logged_in=logged_in)


def look_at_request_log(session: Session, *, logged_in: bool = True, failed_login: bool = False) -> None:
    """The request log (L): the newest request in full, then the token requests (with a token given: the
    refused delete), filtered and opened."""
    session.press(b"L", then="Requests:")
    session.press(ENTER, then="request id")
    session.press(ESC)
    needle, shown = ("tokens", "/v3/auth/tokens") if logged_in else ("DELETE", "403")
    # The title turns to "Requests: N of M" once the filter applies: the refused request was already on screen.
    session.press(b"/" + needle.encode(), then=" of ")
    session.expect(shown)
    session.press(ENTER)  # keeps the filter, back on the list
    session.press(ENTER, then="token request" if logged_in else "403 Forbidden")
    if failed_login:
        session.expect("answer is never kept")
    session.press(ESC)
    session.press(ESC)  # clears the filter
    session.press(ESC)  # back to the images


def kept_logins(session: Session) -> dict[Path, str]:
    """The token cache's files (the one place a token may be written) and the token each holds."""
    folder = session.home / ".cache" / "ims-tui" / "tokens"
    return {path: json.loads(path.read_text())["token"] for path in folder.glob("*.json")}


def check_outputs(session: Session, secrets: list[str], *, expect_in_log: list[str], kept: int = 0) -> None:
    """No secret anywhere, and no token but in the token cache's ``kept`` files (0600), nor theirs elsewhere."""
    program = session.program
    logins = kept_logins(session)
    assert len(logins) == kept, f"kept logins: {sorted(logins)}"
    for path in logins:
        assert path.stat().st_mode & 0o077 == 0, f"{path} may be read by others"
    secrets = [*secrets, *logins.values()]
    terminal = bytes(program.output)
    assert leaks(terminal, secrets) == [], "in the terminal output"
    assert leaks(visible_text(terminal).encode(), secrets) == [], "in the text drawn on the terminal"
    assert not FERNET.search(terminal), "a Fernet token was drawn on the terminal"

    logs = sorted(session.log_dir.glob("ims-tui.log*"))
    assert logs, f"no log file under {session.log_dir}"
    log = b"".join(path.read_bytes() for path in logs)
    assert leaks(log, secrets) == [], "in the log"
    assert not FERNET.search(log), "a Keystone token is in the log"
    assert not AUTH_HEADER_VALUE.search(log), "a token header value is in the log"
    text = log.decode()
    for pattern in expect_in_log:  # the log recorded the session: method, path and status of its requests
        assert re.search(pattern, text), f"{pattern!r} not in the log:\n{text[-3000:]}"

    written = [p for p in session.home.rglob("*") if p.is_file() and p not in session.ours]
    assert set(logs) <= set(written)
    for path in written:
        if path in logins:
            assert leaks(path.read_bytes().replace(logins[path].encode(), b""), secrets) == [], f"in {path}"
            continue
        assert leaks(path.read_bytes(), secrets) == [], f"in {path}"
        assert not FERNET.search(path.read_bytes()), f"a Keystone token is in {path}"


CLOUDS = """\
clouds:
  leaklab:
    region_name: {region}
    auth:
      auth_url: {auth_url}
      username: {username}
      user_domain_name: Default
      project_name: {project}
      project_domain_name: Default
"""
SECURE = """\
clouds:
  leaklab:
    auth:
      password: "{password}"
"""


def clouds_yaml(leak: LeakLab) -> str:
    lab = leak.lab
    return CLOUDS.format(
        region=lab.region, auth_url=lab.keystone_url, username=leak.user.username, project=leak.user.project_name
    )


REQUEST_LINES = [
    r"POST http://127\.0\.0\.1:\d+/v3/auth/tokens \"HTTP/1\.1 201",
    r"GET /v2/images -> 200",
    r"GET /v2/images/[0-9a-f-]{36} -> 200",
    r"DELETE /v2/images/[0-9a-f-]{36} -> 403",
]


def test_password_from_secure_yaml_never_leaks(leak_lab: LeakLab, tmp_path: Path) -> None:
    home, ours = new_home(tmp_path, clouds_yaml(leak_lab), SECURE.format(password=SECRET))
    session = start(home, ours, "--os-cloud", "leaklab")
    try:
        browse_and_fail(session, leak_lab)
        quit_app(session)
    finally:
        session.program.stop()
    check_outputs(session, [SECRET], expect_in_log=REQUEST_LINES, kept=1)


def test_a_kept_token_never_leaks(leak_lab: LeakLab, tmp_path: Path) -> None:
    """The second run takes the token the first kept: no token request, and that token nowhere but its file."""
    home, ours = new_home(tmp_path, clouds_yaml(leak_lab), SECURE.format(password=SECRET))
    first = start(home, ours, "--os-cloud", "leaklab")
    try:
        first.expect(leak_lab.private_name[:20])
        quit_app(first)
    finally:
        first.program.stop()
    session = start(home, ours, "--os-cloud", "leaklab")
    try:
        browse_and_fail(session, leak_lab, logged_in=False)  # its request log has no token request to open
        quit_app(session)
    finally:
        session.program.stop()
    check_outputs(session, [SECRET], expect_in_log=[*REQUEST_LINES[1:], "reusing the cached token"], kept=1)


def test_wrong_password_from_secure_yaml_never_leaks(leak_lab: LeakLab, tmp_path: Path) -> None:
    home, ours = new_home(tmp_path, clouds_yaml(leak_lab), SECURE.format(password=WRONG_IN_FILE))
    session = start(home, ours, "--os-cloud", "leaklab")
    try:
        session.expect("Keystone rejected the credentials")
        session.press(b"r", then="Keystone rejected the credentials")  # retry: refused again
        session.press(b"?", then="Keys")
        session.press(ESC)
        look_at_request_log(session, failed_login=True)
        quit_app(session)
    finally:
        session.program.stop()
    check_outputs(
        session,
        [WRONG_IN_FILE, SECRET],
        expect_in_log=[r"POST http://127\.0\.0\.1:\d+/v3/auth/tokens \"HTTP/1\.1 401"],
    )


def test_typed_passwords_never_leak(leak_lab: LeakLab, tmp_path: Path) -> None:
    home, ours = new_home(tmp_path, clouds_yaml(leak_lab))  # no password anywhere: the app asks
    session = start(home, ours, "--os-cloud", "leaklab")
    try:
        session.expect("Sign in")
        session.press(WRONG_TYPED.encode())
        session.press(ENTER, then="Keystone rejected the credentials")
        session.press(SECRET.encode())
        session.press(ENTER)
        browse_and_fail(session, leak_lab)
        quit_app(session)
    finally:
        session.program.stop()
    check_outputs(session, [WRONG_TYPED, SECRET], expect_in_log=REQUEST_LINES)


def test_token_on_the_command_line_never_leaks(leak_lab: LeakLab, tmp_path: Path) -> None:
    token = leak_lab.lab.keystone.token(leak_lab.user)
    assert FERNET.match(token.encode())
    home, ours = new_home(tmp_path)
    session = start(home, ours, "--endpoint", leak_lab.lab.glance_url, "--token", token)
    try:
        browse_and_fail(session, leak_lab, logged_in=False)
        quit_app(session)
    finally:
        session.program.stop()
    check_outputs(session, [token, SECRET], expect_in_log=REQUEST_LINES[1:])
