"""The test tooling that runs a real Glance/Keystone: cheap checks of its parts, and one real Glance life cycle."""

from __future__ import annotations

import configparser
import json
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tools import openstack_lab as lab
from tools.openstack_lab import GlanceServer, LabError, ServerPool

# The parts of Glance 33.0.0's glance-api-paste.ini that patch_paste_ini relies on.
STOCK_PASTE = """\
# Use this composite for no auth or image caching - DEFAULT
[composite:glance-api]
paste.composite_factory = glance.api:root_app_factory
/: api
/healthcheck: healthcheck

# Use this composite for keystone auth
[composite:glance-api-keystone]
paste.composite_factory = glance.api:root_app_factory
/: api
/healthcheck: healthcheck

[composite:api]
paste.composite_factory = glance.api:pipeline_factory
default = cors http_proxy_to_wsgi versionnegotiation osprofiler unauthenticated-context rootapp
keystone = cors http_proxy_to_wsgi versionnegotiation osprofiler authtoken context rootapp

[app:healthcheck]
paste.app_factory = oslo_middleware:Healthcheck.app_factory
backends = disable_by_file
disable_by_file_path = /etc/glance/healthcheck_disable
"""


def ini(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    return parser


# ---- command line


def test_cli_parses_glance_mode_and_port() -> None:
    args = lab.build_parser().parse_args(["glance", "start", "--mode", "trusted", "--port", "18001"])
    assert (args.service, args.action, args.mode, args.port) == ("glance", "start", "trusted", 18001)


def test_cli_defaults_to_noauth_on_a_free_port() -> None:
    args = lab.build_parser().parse_args(["glance", "status"])
    assert (args.mode, args.port) == ("noauth", None)


def test_cli_keystone_and_install() -> None:
    args = lab.build_parser().parse_args(["keystone", "start", "--glance-port", "18002"])
    assert (args.service, args.action, args.glance_port) == ("keystone", "start", 18002)
    assert lab.build_parser().parse_args(["install"]).service == "install"


@pytest.mark.parametrize(
    "argv", [["glance", "start", "--mode", "bogus"], ["glance", "restart"], ["keystone"], [], ["glance", "--port", "x"]]
)
def test_cli_rejects_bad_arguments(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        lab.build_parser().parse_args(argv)
    assert exc.value.code == 2


def test_cli_status_of_a_server_never_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMS_TUI_LAB", str(tmp_path))
    assert lab.main(["glance", "status", "--mode", "trusted"]) == 1
    assert lab.main(["keystone", "stop"]) == 0


def test_lab_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMS_TUI_LAB", str(tmp_path))
    assert lab.lab_dir() == tmp_path
    monkeypatch.delenv("IMS_TUI_LAB")
    assert lab.lab_dir() == Path.home() / ".cache" / "ims-tui" / "lab"


# ---- ports


def test_free_port_is_bindable_on_loopback_and_not_a_well_known_one() -> None:
    port = lab.free_port()
    assert port >= 1024
    with socket.socket() as s:
        s.bind((lab.HOST, port))


def test_free_ports_differ_while_the_first_is_held() -> None:
    first = lab.free_port()
    with socket.socket() as s:
        s.bind((lab.HOST, first))
        assert lab.free_port() != first


# ---- configuration


@pytest.mark.parametrize(("mode", "flavor"), [("noauth", ""), ("trusted", "trusted"), ("keystone", "keystone")])
def test_glance_conf_picks_the_paste_flavor(mode: str, flavor: str, tmp_path: Path) -> None:
    conf = ini(lab.render_glance_conf(tmp_path, mode, keystone_url="http://127.0.0.1:1"))
    assert conf["paste_deploy"]["flavor"] == flavor
    assert conf["database"]["connection"] == f"sqlite:///{tmp_path}/glance.sqlite"
    assert conf["fs"]["filesystem_store_datadir"].startswith(str(tmp_path))
    assert conf.has_section("keystone_authtoken") == (mode == "keystone")


@pytest.mark.parametrize("given", ["http://127.0.0.1:5555", "http://127.0.0.1:5555/", "http://127.0.0.1:5555/v3"])
def test_glance_conf_points_authtoken_at_keystone_v3(given: str, tmp_path: Path) -> None:
    auth = ini(lab.render_glance_conf(tmp_path, "keystone", keystone_url=given))["keystone_authtoken"]
    assert auth["auth_url"] == auth["www_authenticate_uri"] == "http://127.0.0.1:5555/v3"
    assert (auth["username"], auth["password"], auth["project_name"]) == ("glance", "glancepw", "service")


def test_glance_conf_rejects_unknown_mode_and_keystone_without_url(tmp_path: Path) -> None:
    with pytest.raises(LabError):
        lab.render_glance_conf(tmp_path, "open")
    with pytest.raises(LabError):
        lab.render_glance_conf(tmp_path, "keystone")
    with pytest.raises(LabError):
        GlanceServer(mode="keystone")


def test_policy_makes_only_the_projectless_noauth_context_admin() -> None:
    assert lab.render_glance_policy("noauth") == lab.render_glance_policy("trusted")
    assert "project_id:None" in lab.render_glance_policy("trusted")
    assert lab.render_glance_policy("keystone").strip() == "{}"


def test_paste_patch_adds_a_trusted_pipeline_without_authtoken(tmp_path: Path) -> None:
    patched = ini(lab.patch_paste_ini(STOCK_PASTE, tmp_path))
    assert patched["composite:glance-api-trusted"]["/"] == "api"
    trusted = patched["composite:api"]["trusted"].split()
    assert "context" in trusted and "authtoken" not in trusted
    assert patched["composite:api"]["keystone"] == lab._PASTE_KEYSTONE_PIPELINE.split(" = ", 1)[1]
    assert patched["app:healthcheck"]["disable_by_file_path"] == f"{tmp_path}/healthcheck_disable"


def test_paste_patch_refuses_an_unknown_layout(tmp_path: Path) -> None:
    with pytest.raises(LabError, match="layout"):
        lab.patch_paste_ini(STOCK_PASTE.replace("authtoken context", "authtoken ctx"), tmp_path)


def test_keystone_conf_and_wsgi_wrapper(tmp_path: Path) -> None:
    conf = ini(lab.render_keystone_conf(tmp_path))
    assert conf["token"]["provider"] == "fernet"
    assert conf["fernet_tokens"]["key_repository"].startswith(str(tmp_path))
    assert int(conf["identity"]["password_hash_rounds"]) == 4
    compile(lab.KEYSTONE_WSGI, "keystone_wsgi.py", "exec")


def test_keystone_url_is_the_v3_endpoint() -> None:
    server = lab.KeystoneServer(glance_port=18003, port=18004)
    assert server.url == "http://127.0.0.1:18004/v3"
    assert server.base_url == "http://127.0.0.1:18004"


# ---- processes and failure caching


def _spawn(code: str) -> subprocess.Popen[bytes]:
    # Waits for a line on stdin so the test knows the handler is installed without sleeping.
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"ready\n"
    return proc


def test_terminate_group_stops_a_process_group() -> None:
    # The child's sleep stands in for a server that never stops on its own; the test itself waits on nothing.
    proc = _spawn("import time; print('ready', flush=True); time.sleep(120)")  # ok: a never-ending child
    assert lab.group_members(proc.pid) == [proc.pid]
    lab.terminate_group(proc.pid, proc)
    assert proc.returncode == -signal.SIGTERM
    assert lab.group_members(proc.pid) == []


def test_terminate_group_kills_what_ignores_term() -> None:
    proc = _spawn(
        "import signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('ready', flush=True)\n"
        "time.sleep(120)"  # ok: a stubborn server that ignores SIGTERM
    )
    lab.terminate_group(proc.pid, proc, grace=0.2)
    assert proc.returncode == -signal.SIGKILL


def test_pool_tries_a_failing_start_once() -> None:
    calls = []

    def broken() -> object:
        calls.append(1)
        raise LabError("no network for pip")

    pool = ServerPool()
    for _ in range(3):
        with pytest.raises(LabError, match="no network"):
            pool.get("glance-noauth", broken)
    assert len(calls) == 1
    assert pool.failures == {"glance-noauth": "no network for pip"}


def test_pool_reuses_and_stops_what_it_started() -> None:
    class Fake:
        stopped = 0

        def stop(self) -> None:
            self.stopped += 1

    pool = ServerPool()
    fake = pool.get("x", Fake)
    assert pool.get("x", Fake) is fake
    pool.stop_all()
    assert fake.stopped == 1


# ---- a real Glance


@pytest.mark.glance
def test_noauth_glance_answers_then_stops_by_pid(openstack_lab) -> None:  # type: ignore[no-untyped-def]
    server = GlanceServer(mode="noauth")
    openstack_lab.require("glance-noauth (life-cycle test)", server.start)
    pid = server.pid
    assert pid is not None
    try:
        assert server.url.startswith("http://127.0.0.1:")
        no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with no_proxy.open(f"{server.url}/v2/images", timeout=10) as response:
            assert response.status == 200
            assert response.headers.get_content_type() == "application/json"
            assert json.load(response)["images"] == []
    finally:
        server.stop()
    assert lab.group_members(pid) == []
    assert server.pid is None
