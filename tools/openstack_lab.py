"""A real OpenStack Glance (and Keystone) on 127.0.0.1 for the test suite and the benchmarks.

Standard library only, so it runs before anything else is installed. Both servers come from PyPI
(glance==33.0.0, keystone==30.0.0, gunicorn==27.0.1), installed once into cached virtualenvs under
``${IMS_TUI_LAB:-~/.cache/ims-tui/lab}``; every server instance gets a fresh state directory (config,
sqlite database copied from a cached template, file store, log, pid file), so each start is a clean cloud.

Python API::

    from tools.openstack_lab import GlanceServer, KeystoneServer, LabError, start_keystone_lab

    with GlanceServer(mode="noauth") as g:   # or mode="trusted"
        g.url   # "http://127.0.0.1:PORT" (the Glance endpoint; the API lives under /v2)
        g.pid   # gunicorn master PID, also the process group id

    k = KeystoneServer(glance_port=p).start()
    k.url       # "http://127.0.0.1:PORT/v3" (an auth_url); k.base_url has no /v3
    k.stop()

    lab = start_keystone_lab()               # Keystone + a keystone-mode Glance registered in its catalog
    lab.keystone_url, lab.glance_url, lab.demo.username, ...; lab.stop()

Command line (servers stay up after the command returns; ``stop`` ends them by PID)::

    python tools/openstack_lab.py install
    python tools/openstack_lab.py glance start|stop|status [--mode noauth|trusted|keystone] [--port N]
    python tools/openstack_lab.py keystone start|stop|status [--port N] [--glance-port N]

Modes: ``noauth`` every request is an admin without a project; ``trusted`` the X-Identity-Status: Confirmed,
X-Project-Id, X-User-Id and X-Roles request headers become the caller (real ownership and policy, no Keystone);
``keystone`` real keystonemiddleware token validation against a Keystone started by this tool.

Linux only (process groups and /proc are used to find and stop every process of a server).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GLANCE_VERSION = "33.0.0"
KEYSTONE_VERSION = "30.0.0"
GUNICORN_VERSION = "27.0.1"
HOST = "127.0.0.1"
# members an image may have on the lab's Glance (image_member_quota): few, so the 413 is cheap to reach
IMAGE_MEMBER_QUOTA = 6
MODES = ("noauth", "trusted", "keystone")
READY_TIMEOUT = 90.0
STOP_GRACE = 10.0
INSTALL_TIMEOUT = 1800.0
REGION = "RegionOne"
# The file stores of every Glance this tool starts, with their descriptions: the first is the default (where an
# upload without a store header goes), the second is there for copy-image and deleting from one store.
STORES = {"fs": "the default store", "fast": "a second file store"}


def store_dir(state: Path, store: str) -> Path:
    return state / ("images" if store == next(iter(STORES)) else f"images-{store}")


class LabError(RuntimeError):
    """A lab server could not be installed, configured or started; the message says why."""


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    project_name: str
    domain_id: str = "default"


ADMIN = Account("admin", "adminpw", "admin")
GLANCE_SERVICE = Account("glance", "glancepw", "service")
DEMO = Account("demo", "demopw", "demo")


def lab_dir() -> Path:
    return Path(os.environ.get("IMS_TUI_LAB") or "~/.cache/ims-tui/lab").expanduser()


def free_port(host: str = HOST) -> int:
    """A port the kernel considers free right now (there is a small race until the server binds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------------------------------- venvs


@dataclass(frozen=True)
class VenvSpec:
    dirname: str
    package: str
    version: str
    # Cheap imports only: importing keystone's flask app alone takes ~3 s.
    probe_imports: tuple[str, ...]


GLANCE_VENV = VenvSpec("glance-venv", "glance", GLANCE_VERSION, ("glance.wsgi", "glance_store"))
KEYSTONE_VENV = VenvSpec("keystone-venv", "keystone", KEYSTONE_VERSION, ("keystone",))


def venv_is_good(venv: Path, spec: VenvSpec) -> bool:
    python = venv / "bin" / "python"
    if not (python.exists() and (venv / "bin" / "gunicorn").exists()):
        return False
    probe = (
        "import importlib.metadata as m\n"
        + "".join(f"import {name}\n" for name in spec.probe_imports)
        + f"assert m.version({spec.package!r}) == {spec.version!r}, m.version({spec.package!r})\n"
        + f"assert m.version('gunicorn') == {GUNICORN_VERSION!r}, m.version('gunicorn')\n"
    )
    result = subprocess.run([str(python), "-c", probe], capture_output=True, env=_clean_env(), timeout=120, check=False)
    return result.returncode == 0


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Serialise installs and template builds between concurrent test processes (e.g. pytest-xdist)."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


_install_failures: dict[Path, LabError] = {}


def ensure_venv(spec: VenvSpec, lab: Path | None = None, *, quiet: bool = False) -> Path:
    """Return the venv for ``spec``, installing it the first time (never deletes an existing one).

    A failed install is not retried in the same process: without network pip can spend minutes per attempt.
    """
    lab = lab or lab_dir()
    venv = lab / spec.dirname
    if venv in _install_failures:
        raise _install_failures[venv]
    try:
        return _ensure_venv(spec, lab, venv, quiet)
    except LabError as exc:
        _install_failures[venv] = exc
        raise


def _ensure_venv(spec: VenvSpec, lab: Path, venv: Path, quiet: bool) -> Path:
    if venv_is_good(venv, spec):
        return venv
    with _file_lock(lab / f".{spec.dirname}.lock"):
        if venv_is_good(venv, spec):  # another process finished it while we waited
            return venv
        log = lab / f"{spec.dirname}-pip.log"
        if not quiet:
            print(f"openstack_lab: installing {spec.package}=={spec.version} into {venv} (log: {log})", file=sys.stderr)
        started = time.monotonic()
        base_python = os.environ.get("IMS_TUI_LAB_PYTHON") or sys.executable
        with open(log, "w") as out:
            steps = []
            if not (venv / "bin" / "python").exists():
                steps.append([base_python, "-m", "venv", str(venv)])
            steps.append(
                [
                    str(venv / "bin" / "python"),
                    "-m",
                    "pip",
                    "install",
                    "--disable-pip-version-check",
                    f"{spec.package}=={spec.version}",
                    f"gunicorn=={GUNICORN_VERSION}",
                ]
            )
            for cmd in steps:
                try:
                    rc = subprocess.run(
                        cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=INSTALL_TIMEOUT
                    ).returncode
                except subprocess.TimeoutExpired:
                    raise LabError(
                        f"installing {spec.package} timed out after {INSTALL_TIMEOUT:.0f} s; see {log}"
                    ) from None
                if rc != 0:
                    raise LabError(
                        f"installing {spec.package}=={spec.version} failed: {' '.join(cmd[:4])} ... exited with {rc}; "
                        f"last lines of {log}:\n{_tail(log)}"
                    )
        if not venv_is_good(venv, spec):
            raise LabError(
                f"{venv} still lacks a working {spec.package}=={spec.version}; delete it to reinstall. Log: {log}"
            )
        if not quiet:
            print(f"openstack_lab: installed {spec.package} in {time.monotonic() - started:.0f} s", file=sys.stderr)
        return venv


# ------------------------------------------------------------------------------------------- config files


def _store_sections(state: Path) -> str:
    return "".join(
        f"[{store}]\nfilesystem_store_datadir = {store_dir(state, store)}/\nstore_description = {words}\n\n"
        for store, words in STORES.items()
    )


def render_glance_conf(
    state: Path, mode: str, keystone_url: str | None = None, service: Account = GLANCE_SERVICE
) -> str:
    if mode not in MODES:
        raise LabError(f"unknown Glance mode {mode!r}; expected one of {', '.join(MODES)}")
    # The paste flavor picks the pipeline: "" = unauthenticated admin context, "trusted" = our patched
    # pipeline (context middleware without authtoken), "keystone" = stock authtoken pipeline.
    flavor = {"noauth": "", "trusted": "trusted", "keystone": "keystone"}[mode]
    conf = f"""\
# Written by tools/openstack_lab.py: Glance {GLANCE_VERSION}, mode {mode}, sqlite + two file stores.
[DEFAULT]
debug = false
use_stderr = true
enabled_backends = {",".join(f"{store}:file" for store in STORES)}
enabled_import_methods = [glance-direct,web-download,copy-image]
image_cache_dir = {state}/cache
image_member_quota = {IMAGE_MEMBER_QUOTA}

[database]
connection = sqlite:///{state}/glance.sqlite

[glance_store]
default_backend = {next(iter(STORES))}

{_store_sections(state)}
[import_filtering_opts]
# web-download refuses loopback hosts and ports but 80 and 443 unless allowed: the tests serve the data from
# 127.0.0.1 on a port of their own, chosen after Glance is up (an empty allowed_ports list allows every port).
allowed_hosts = [{HOST}]
allowed_ports = []

[os_glance_staging_store]
filesystem_store_datadir = {state}/staging/

[os_glance_tasks_store]
filesystem_store_datadir = {state}/tasks/

[paste_deploy]
flavor = {flavor}
config_file = {state}/etc/glance-api-paste.ini

[oslo_policy]
policy_file = {state}/etc/policy.yaml

[oslo_concurrency]
lock_path = {state}/locks
"""
    if mode == "keystone":
        if not keystone_url:
            raise LabError("keystone mode needs keystone_url")
        auth = keystone_url.rstrip("/").removesuffix("/v3") + "/v3"
        conf += f"""
[keystone_authtoken]
www_authenticate_uri = {auth}
auth_url = {auth}
auth_type = password
username = {service.username}
password = {service.password}
project_name = {service.project_name}
user_domain_id = {service.domain_id}
project_domain_id = {service.domain_id}
"""
    return conf


def render_glance_policy(mode: str) -> str:
    if mode == "keystone":
        return "{}\n"  # the stock secure-RBAC defaults, as a real cloud has them
    # The noauth pipeline builds a context with no project and no roles, which the secure-RBAC defaults
    # reject with 403; treat exactly that context as admin. Requests carrying X-Project-Id keep the defaults.
    return '"context_is_admin": "role:admin or project_id:None"\n'


_PASTE_KEYSTONE_COMPOSITE = "# Use this composite for keystone auth\n[composite:glance-api-keystone]\n"
_PASTE_KEYSTONE_PIPELINE = "keystone = cors http_proxy_to_wsgi versionnegotiation osprofiler authtoken context rootapp"


def patch_paste_ini(stock: str, state: Path) -> str:
    """Glance's own paste file plus a "trusted" flavor: the context middleware without token validation."""
    text = stock.replace(
        "disable_by_file_path = /etc/glance/healthcheck_disable",
        f"disable_by_file_path = {state}/healthcheck_disable",
    )
    if _PASTE_KEYSTONE_COMPOSITE not in text or _PASTE_KEYSTONE_PIPELINE not in text:
        raise LabError("Glance's glance-api-paste.ini changed layout; the trusted pipeline patch needs updating")
    text = text.replace(
        _PASTE_KEYSTONE_COMPOSITE,
        "# Test only: trust X-Identity-Status/X-Roles/X-Project-Id headers, no keystone\n"
        "[composite:glance-api-trusted]\n"
        "paste.composite_factory = glance.api:root_app_factory\n"
        "/: api\n/healthcheck: healthcheck\n\n" + _PASTE_KEYSTONE_COMPOSITE,
        1,
    )
    return text.replace(
        _PASTE_KEYSTONE_PIPELINE,
        "trusted = cors http_proxy_to_wsgi versionnegotiation osprofiler context rootapp\n" + _PASTE_KEYSTONE_PIPELINE,
        1,
    )


def render_keystone_conf(state: Path) -> str:
    return f"""\
# Written by tools/openstack_lab.py: Keystone {KEYSTONE_VERSION}, sqlite + fernet.
[DEFAULT]
debug = false
use_stderr = true

[database]
connection = sqlite:///{state}/keystone.sqlite

[identity]
# bcrypt's minimum cost: every password check at default cost 12 takes ~0.25 s, which tests pay per token.
password_hash_rounds = 4

[token]
provider = fernet

[fernet_tokens]
key_repository = {state}/fernet-keys/

[fernet_receipts]
key_repository = {state}/fernet-keys/

[credential]
key_repository = {state}/credential-keys/

[oslo_concurrency]
lock_path = {state}/locks
"""


# Keystone builds its app with oslo.config, which parses sys.argv: under gunicorn that is gunicorn's
# command line ("unrecognized arguments: --bind"), so hide it before importing.
KEYSTONE_WSGI = """\
import sys

sys.argv = sys.argv[:1]
from keystone.wsgi.api import application  # noqa: E402,F401
"""


# ---------------------------------------------------------------------------------------------- processes


def _clean_env(**extra: str) -> dict[str, str]:
    # The caller's PYTHONPATH would leak the project's packages into the servers' venvs, and oslo.config reads
    # OS_* variables, so a developer's OS_CLOUD/OS_AUTH_URL must not reach the servers.
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_") and k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(extra)
    return env


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return f"(no log at {path})"
    # pip repeats this warning for every package when a find-links location is missing: pure noise.
    useful = [line for line in text if not line.startswith("WARNING: Location ")]
    return "\n".join(useful[-lines:])


def _proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(state, process group, start time in clock ticks since boot) of ``pid``, or None if it does not exist."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # comm (field 2) may hold spaces and parentheses: split after its closing parenthesis.
    fields = raw[raw.rindex(")") + 2 :].split()
    return fields[0], int(fields[2]), int(fields[19])


def process_start_time(pid: int) -> int | None:
    """Identifies a process together with its PID: a recycled PID has a later start time."""
    stat = _proc_stat(pid)
    return stat[2] if stat else None


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in process group ``pgid``."""
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _proc_stat(int(entry))
            if stat and stat[1] == pgid and stat[0] != "Z":
                members.append(int(entry))
    return members


def group_rss_kib(pgid: int) -> int:
    total = 0
    for pid in group_members(pgid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def terminate_group(pgid: int, proc: subprocess.Popen[bytes] | None = None, grace: float = STOP_GRACE) -> None:
    """TERM the whole process group, KILL it after ``grace`` seconds, and wait until it is gone."""

    def gone(deadline: float) -> bool:
        while time.monotonic() < deadline:
            if proc is not None:
                proc.poll()  # reap our own child, or it stays a zombie in the group
            if not group_members(pgid):
                return True
            time.sleep(0.05)
        return False

    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        if gone(time.monotonic() + wait):
            break
    if proc is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=1)
    if group_members(pgid):
        raise LabError(f"process group {pgid} survived SIGKILL")


_PR_SET_PDEATHSIG = 1
_libc: Any = None


def _die_with_parent() -> None:
    """preexec_fn: the kernel TERMs the server if the test process dies (e.g. SIGKILL), so none is left behind."""
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _http_status(url: str, headers: dict[str, str] | None = None, timeout: float = 2.0) -> int | None:
    # No proxies: a developer's http_proxy must not swallow requests to 127.0.0.1.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (OSError, urllib.error.URLError):
        return None


def _json_request(
    method: str, url: str, body: object = None, token: str | None = None
) -> tuple[int, dict[str, str], Any]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if token:
        headers["X-Auth-Token"] = token
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as response:
            raw = response.read()
            return response.status, dict(response.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        raise LabError(f"{method} {url} -> {exc.code}: {raw[:500]!r}") from None


_running: set[_GunicornServer] = set()


@atexit.register
def _stop_leftovers() -> None:
    for server in list(_running):
        with contextlib.suppress(Exception):
            server.stop()


class _GunicornServer:
    """One gunicorn master (1 worker, 1 thread: sqlite) in its own process group, stopped by PID."""

    kind = "server"
    venv_spec: VenvSpec
    app = ""

    def __init__(
        self,
        port: int | None = None,
        *,
        state_dir: str | Path | None = None,
        lab: str | Path | None = None,
        ready_timeout: float = READY_TIMEOUT,
        detach: bool = False,
    ) -> None:
        self.port = port
        self._port_given = port is not None
        self.lab = Path(lab) if lab else lab_dir()
        self._state_given = state_dir is not None
        self.state_dir = Path(state_dir) if state_dir else None
        self.ready_timeout = ready_timeout
        # detach: the server outlives this process (the command line); otherwise it dies with its parent.
        self.detach = detach
        self.pid: int | None = None
        self.startup_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    # ---- public
    @property
    def base_url(self) -> str:
        if self.port is None:
            raise LabError(f"{self.kind} has no port yet: call start() first")
        return f"http://{HOST}:{self.port}"

    @property
    def url(self) -> str:
        return self.base_url

    @property
    def log_path(self) -> Path:
        assert self.state_dir is not None
        return self.state_dir / f"{self.kind}.log"

    def running(self) -> bool:
        return self.pid is not None and bool(group_members(self.pid))

    def rss_kib(self) -> int:
        """Resident memory of the server's whole process group (gunicorn master + worker)."""
        return group_rss_kib(self.pid) if self.pid else 0

    def start(self) -> _GunicornServer:
        if self.running():
            return self
        venv = ensure_venv(self.venv_spec, self.lab)
        if self.state_dir is None:
            self.state_dir = Path(tempfile.mkdtemp(prefix=f"ims-tui-{self.kind}-"))
        elif self.state_dir.exists():
            shutil.rmtree(self.state_dir)  # a clean database on every start
        self.state_dir.mkdir(parents=True, exist_ok=True)
        for attempt in range(3):
            if self.port is None:
                self.port = free_port()
            self._prepare(venv)
            try:
                self._launch(venv)
                self._wait_ready()
                break
            except LabError:
                port_taken = "Address already in use" in _tail(self.log_path, 200)
                self._kill()
                if self._port_given or not port_taken or attempt == 2:
                    self._discard_state()
                    raise
                self.port = None  # lost the race for the free port to another process: pick again
        self._after_ready()
        return self

    def stop(self) -> None:
        self._kill()
        self._discard_state()

    def __enter__(self) -> _GunicornServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- subclass hooks
    def _prepare(self, venv: Path) -> None:
        raise NotImplementedError

    def _env(self) -> dict[str, str]:
        raise NotImplementedError

    def _ready(self) -> bool:
        raise NotImplementedError

    def _after_ready(self) -> None:
        pass

    # ---- internals
    def _launch(self, venv: Path) -> None:
        assert self.state_dir is not None
        pidfile = self.state_dir / f"{self.kind}.pid"
        cmd = [
            str(venv / "bin" / "gunicorn"),
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            "1",
            "--threads",
            "1",
            "--timeout",
            "300",
            "--no-control-socket",
            "--pid",
            str(pidfile),
            "--pythonpath",
            str(self.state_dir / "etc"),
            self.app,
        ]
        die_with_parent = not self.detach and threading.current_thread() is threading.main_thread()
        if die_with_parent:
            global _libc
            if _libc is None:
                with contextlib.suppress(OSError, AttributeError):
                    import ctypes

                    _libc = ctypes.CDLL(None, use_errno=True)
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.state_dir,
                env=self._env(),
                start_new_session=True,
                preexec_fn=_die_with_parent if die_with_parent else None,
            )
        self.pid = self._proc.pid
        if not self.detach:
            _running.add(self)

    def _wait_ready(self) -> None:
        assert self._proc is not None
        started = time.monotonic()
        deadline = started + self.ready_timeout
        while True:
            if self._proc.poll() is not None:
                raise LabError(
                    f"{self.kind} exited with status {self._proc.returncode} before it was ready; "
                    f"last lines of {self.log_path}:\n{_tail(self.log_path)}"
                )
            if self._ready():
                self.startup_seconds = time.monotonic() - started
                return
            if time.monotonic() > deadline:
                raise LabError(
                    f"{self.kind} on {self.base_url} not ready after {self.ready_timeout:.0f} s; "
                    f"last lines of {self.log_path}:\n{_tail(self.log_path)}"
                )
            time.sleep(0.1)

    def _kill(self) -> None:
        if self.pid is not None:
            terminate_group(self.pid, self._proc)
        self.pid = None
        self._proc = None
        _running.discard(self)

    def _discard_state(self) -> None:
        if self.state_dir is not None and not self._state_given:
            shutil.rmtree(self.state_dir, ignore_errors=True)
            self.state_dir = None


# ------------------------------------------------------------------------------------------------- Glance


def glance_template_db(venv: Path, lab: Path) -> Path:
    """An empty, migrated Glance database, built once per Glance version (db_sync takes seconds, a copy ms)."""
    template = lab / "templates" / f"glance-{GLANCE_VERSION}.sqlite"
    if template.exists():
        return template
    with _file_lock(lab / "templates" / ".glance.lock"):
        if template.exists():
            return template
        with tempfile.TemporaryDirectory(prefix="ims-tui-glance-template-") as tmp:
            state = Path(tmp)
            (state / "etc").mkdir()
            conf = state / "etc" / "glance-api.conf"
            conf.write_text(render_glance_conf(state, "noauth"))
            log = state / "db_sync.log"
            with open(log, "w") as out:
                rc = subprocess.run(
                    [str(venv / "bin" / "glance-manage"), "--config-file", str(conf), "db_sync"],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env=_clean_env(),
                    timeout=600,
                ).returncode
            if rc != 0:
                raise LabError(f"glance-manage db_sync failed:\n{_tail(log)}")
            partial = template.with_suffix(f".{os.getpid()}.tmp")
            shutil.copyfile(state / "glance.sqlite", partial)
            os.replace(partial, template)  # atomic: a reader never sees half a database
    return template


class GlanceServer(_GunicornServer):
    """Glance v2 API; ``url`` is the endpoint (no /v2), as a Keystone catalog would list it."""

    kind = "glance"
    venv_spec = GLANCE_VENV
    app = "glance.wsgi.api:application"

    def __init__(
        self,
        mode: str = "noauth",
        port: int | None = None,
        *,
        keystone_url: str | None = None,
        service_account: Account = GLANCE_SERVICE,
        **kwargs: Any,
    ) -> None:
        if mode not in MODES:
            raise LabError(f"unknown Glance mode {mode!r}; expected one of {', '.join(MODES)}")
        if mode == "keystone" and not keystone_url:
            raise LabError("GlanceServer(mode='keystone') needs keystone_url")
        super().__init__(port, **kwargs)
        self.mode = mode
        self.keystone_url = keystone_url
        self.service_account = service_account

    def __repr__(self) -> str:
        return f"GlanceServer(mode={self.mode!r}, port={self.port}, pid={self.pid})"

    def start(self) -> GlanceServer:
        super().start()
        return self

    def __enter__(self) -> GlanceServer:
        return self.start()

    def _prepare(self, venv: Path) -> None:
        state = self.state_dir
        assert state is not None
        for sub in ("etc", "staging", "tasks", "cache", "locks"):
            (state / sub).mkdir(exist_ok=True)
        for store in STORES:
            store_dir(state, store).mkdir(exist_ok=True)
        etc = state / "etc"
        (etc / "glance-api.conf").write_text(
            render_glance_conf(state, self.mode, self.keystone_url, self.service_account)
        )
        (etc / "policy.yaml").write_text(render_glance_policy(self.mode))
        stock = (venv / "etc" / "glance" / "glance-api-paste.ini").read_text()
        (etc / "glance-api-paste.ini").write_text(patch_paste_ini(stock, state))
        db = state / "glance.sqlite"
        if not db.exists():
            shutil.copyfile(glance_template_db(venv, self.lab), db)

    def _env(self) -> dict[str, str]:
        assert self.state_dir is not None
        return _clean_env(OS_GLANCE_CONFIG_DIR=str(self.state_dir / "etc"))

    def _ready(self) -> bool:
        url = f"{self.base_url}/v2/images?limit=1"
        if self.mode == "keystone":
            return _http_status(url) == 401  # no token at hand: keystonemiddleware answering means Glance is up
        headers = {}
        if self.mode == "trusted":
            headers = {"X-Identity-Status": "Confirmed", "X-Project-Id": "readiness", "X-Roles": "reader"}
        return _http_status(url, headers) == 200


# ----------------------------------------------------------------------------------------------- Keystone


def _unix_names() -> tuple[str, str]:
    import grp
    import pwd

    try:
        user = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
    except KeyError as exc:
        raise LabError(f"keystone-manage needs a named user and group for uid/gid {os.getuid()}/{os.getgid()}") from exc
    return user, group


def keystone_template(venv: Path, lab: Path) -> Path:
    """Migrated, bootstrapped Keystone database plus fernet/credential keys, built once per Keystone version.

    The bootstrap registers the identity endpoint at a placeholder URL; KeystoneServer rewrites it to its
    real port when it registers the image service.
    """
    template = lab / "templates" / f"keystone-{KEYSTONE_VERSION}"
    if (template / "keystone.sqlite").exists():
        return template
    with _file_lock(lab / "templates" / ".keystone.lock"):
        if (template / "keystone.sqlite").exists():
            return template
        tmp = Path(tempfile.mkdtemp(prefix=f".keystone-{KEYSTONE_VERSION}-", dir=template.parent))
        try:
            (tmp / "locks").mkdir()
            conf = tmp / "keystone.conf"
            conf.write_text(render_keystone_conf(tmp))
            user, group = _unix_names()
            manage = [str(venv / "bin" / "keystone-manage"), "--config-file", str(conf)]
            placeholder = f"http://{HOST}:1/v3/"
            log = tmp / "manage.log"
            with open(log, "w") as out:
                for args in (
                    ["db_sync"],
                    ["fernet_setup", "--keystone-user", user, "--keystone-group", group],
                    ["credential_setup", "--keystone-user", user, "--keystone-group", group],
                    ["bootstrap", "--bootstrap-password", ADMIN.password, "--bootstrap-region-id", REGION]
                    + ["--bootstrap-admin-url", placeholder, "--bootstrap-internal-url", placeholder]
                    + ["--bootstrap-public-url", placeholder],
                ):
                    rc = subprocess.run(
                        manage + args,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        env=_clean_env(),
                        timeout=600,
                    ).returncode
                    if rc != 0:
                        raise LabError(f"keystone-manage {args[0]} failed:\n{_tail(log)}")
            for name in ("keystone.conf", "manage.log", "locks"):
                path = tmp / name
                shutil.rmtree(path) if path.is_dir() else path.unlink()
            os.replace(tmp, template)  # atomic: a reader never sees half a template
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return template


class KeystoneServer(_GunicornServer):
    """Keystone with admin/adminpw, glance/glancepw (project service) and demo/demopw (project demo, member),
    and the ``image`` service (public + internal, RegionOne) at ``http://127.0.0.1:{glance_port}``.

    ``url`` is the identity v3 endpoint ``http://127.0.0.1:PORT/v3`` (what clients use as auth_url);
    ``base_url`` is the same without ``/v3``.
    """

    kind = "keystone"
    venv_spec = KEYSTONE_VENV
    app = "keystone_wsgi:application"

    def __init__(self, glance_port: int, port: int | None = None, **kwargs: Any) -> None:
        super().__init__(port, **kwargs)
        self.glance_port = glance_port
        self.accounts = {"admin": ADMIN, "glance": GLANCE_SERVICE, "demo": DEMO}

    def __repr__(self) -> str:
        return f"KeystoneServer(port={self.port}, glance_port={self.glance_port}, pid={self.pid})"

    @property
    def url(self) -> str:
        return self.base_url + "/v3"

    def start(self) -> KeystoneServer:
        super().start()
        return self

    def __enter__(self) -> KeystoneServer:
        return self.start()

    def _prepare(self, venv: Path) -> None:
        state = self.state_dir
        assert state is not None
        (state / "etc").mkdir(exist_ok=True)
        (state / "locks").mkdir(exist_ok=True)
        template = keystone_template(venv, self.lab)
        if not (state / "keystone.sqlite").exists():
            shutil.copyfile(template / "keystone.sqlite", state / "keystone.sqlite")
            for keys in ("fernet-keys", "credential-keys"):
                shutil.copytree(template / keys, state / keys)
        (state / "etc" / "keystone.conf").write_text(render_keystone_conf(state))
        (state / "etc" / "keystone_wsgi.py").write_text(KEYSTONE_WSGI)

    def _env(self) -> dict[str, str]:
        assert self.state_dir is not None
        return _clean_env(OS_KEYSTONE_CONFIG_DIR=str(self.state_dir / "etc"))

    def _ready(self) -> bool:
        return _http_status(self.url) == 200

    def token(self, account: Account) -> str:
        """A project-scoped token for ``account`` (password auth)."""
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": account.username,
                            "domain": {"id": account.domain_id},
                            "password": account.password,
                        }
                    },
                },
                "scope": {"project": {"name": account.project_name, "domain": {"id": account.domain_id}}},
            }
        }
        _, headers, _ = _json_request("POST", f"{self.url}/auth/tokens", body)
        token = headers.get("X-Subject-Token") or headers.get("x-subject-token")
        if not token:
            raise LabError("Keystone issued no X-Subject-Token")
        return token

    def _after_ready(self) -> None:
        try:
            self._register()
        except LabError:
            self.stop()
            raise

    def _register(self) -> None:
        ks, tok = self.url, self.token(ADMIN)

        def listing(kind: str, query: str = "") -> list[dict[str, Any]]:
            return list(_json_request("GET", f"{ks}/{kind}{query}", token=tok)[2][kind])

        def get_or_create(kind: str, key: str, query: str, body: dict[str, Any]) -> str:
            found = listing(kind, query)
            if found:
                return str(found[0]["id"])
            return str(_json_request("POST", f"{ks}/{kind}", {key: body}, tok)[2][key]["id"])

        # The template was bootstrapped at a placeholder URL; point the identity endpoints at this port.
        for endpoint in listing("endpoints"):
            if endpoint["url"] == f"http://{HOST}:1/v3/":
                _json_request("PATCH", f"{ks}/endpoints/{endpoint['id']}", {"endpoint": {"url": f"{ks}/"}}, tok)
        glance = f"http://{HOST}:{self.glance_port}"
        service = get_or_create("services", "service", "?type=image", {"type": "image", "name": "glance"})
        for interface in ("public", "internal"):
            _json_request(
                "POST",
                f"{ks}/endpoints",
                {"endpoint": {"service_id": service, "interface": interface, "url": glance, "region_id": REGION}},
                tok,
            )
        roles = {role["name"]: role["id"] for role in listing("roles")}
        if "service" not in roles:
            roles["service"] = get_or_create("roles", "role", "?name=service", {"name": "service"})
        for account, role_names in ((GLANCE_SERVICE, ("admin", "service")), (DEMO, ("member",))):
            project = get_or_create(
                "projects",
                "project",
                f"?name={account.project_name}",
                {"name": account.project_name, "domain_id": account.domain_id},
            )
            user = get_or_create(
                "users",
                "user",
                f"?name={account.username}",
                {"name": account.username, "password": account.password, "domain_id": account.domain_id},
            )
            for role in role_names:
                _json_request("PUT", f"{ks}/projects/{project}/users/{user}/roles/{roles[role]}", token=tok)


@dataclass
class KeystoneLab:
    """A Keystone and a keystone-mode Glance that is the ``image`` service in its catalog."""

    keystone: KeystoneServer
    glance: GlanceServer
    admin: Account = ADMIN
    service: Account = GLANCE_SERVICE
    demo: Account = DEMO
    region: str = REGION
    accounts: dict[str, Account] = field(
        default_factory=lambda: {"admin": ADMIN, "glance": GLANCE_SERVICE, "demo": DEMO}
    )

    @property
    def keystone_url(self) -> str:
        """Identity v3 endpoint, ``http://127.0.0.1:PORT/v3``."""
        return self.keystone.url

    @property
    def glance_url(self) -> str:
        return self.glance.url

    def stop(self) -> None:
        try:
            self.glance.stop()
        finally:
            self.keystone.stop()


def start_keystone_lab(**kwargs: Any) -> KeystoneLab:
    """Start Keystone, then a keystone-mode Glance on the port registered in the catalog."""
    glance_port = free_port()  # Keystone's catalog must name it before Glance exists
    keystone = KeystoneServer(glance_port=glance_port, **kwargs).start()
    try:
        glance = GlanceServer("keystone", glance_port, keystone_url=keystone.base_url, **kwargs).start()
    except BaseException:
        keystone.stop()
        raise
    return KeystoneLab(keystone, glance)


class ServerPool:
    """Starts each named server at most once and remembers failures, so 100 tests don't retry a broken install."""

    def __init__(self) -> None:
        self.started: dict[str, Any] = {}
        self.failures: dict[str, str] = {}

    def get(self, name: str, start: Callable[[], Any]) -> Any:
        """``start()``'s result for ``name``, or LabError (the same one every time) if it failed."""
        if name not in self.started and name not in self.failures:
            try:
                self.started[name] = start()
            except LabError as exc:
                self.failures[name] = str(exc)
            except Exception as exc:  # a bug in this tool must still read as a reason, not crash every caller
                self.failures[name] = f"{type(exc).__name__}: {exc}"
        if name in self.failures:
            raise LabError(self.failures[name])
        return self.started[name]

    def stop_all(self) -> None:
        errors = []
        for name, server in reversed(list(self.started.items())):
            try:
                server.stop()
            except Exception as exc:
                errors.append(f"{name}: {exc}")
        self.started.clear()
        if errors:
            raise LabError("could not stop: " + "; ".join(errors))


# ------------------------------------------------------------------------------------------- command line


def _record_path(name: str) -> Path:
    return lab_dir() / "run" / name / "server.json"


def _read_record(name: str) -> dict[str, Any] | None:
    """The CLI's record of a server it started, if that server still runs (checked by PID and command line)."""
    path = _record_path(name)
    try:
        record: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    pid = int(record.get("pid", 0))
    # Not the command line: gunicorn rewrites its process title ("gunicorn: master [...]").
    if pid and group_members(pid) and process_start_time(pid) == record.get("start_time"):
        return record
    return None


def _cli_start(name: str, server: _GunicornServer, extra: dict[str, Any]) -> int:
    started = time.monotonic()
    server.start()
    assert server.pid is not None
    record = {
        "pid": server.pid,
        "start_time": process_start_time(server.pid),
        "url": server.url,
        "port": server.port,
        **extra,
    }
    _record_path(name).write_text(json.dumps(record))
    print(
        f"running pid={server.pid} url={server.url} {' '.join(f'{k}={v}' for k, v in extra.items())} "
        f"ready_in={server.startup_seconds:.2f}s total={time.monotonic() - started:.2f}s "
        f"rss={server.rss_kib() / 1024:.0f}MiB log={server.log_path}"
    )
    return 0


def _cli_stop(name: str) -> int:
    record = _read_record(name)
    if record is None:
        print("not running")
        return 0
    terminate_group(int(record["pid"]))
    print(f"stopped pid={record['pid']}")
    return 0


def _cli_status(name: str) -> int:
    record = _read_record(name)
    if record is None:
        print("stopped")
        return 1
    rss = group_rss_kib(int(record["pid"])) / 1024
    print(f"running pid={record['pid']} url={record['url']} rss={rss:.0f}MiB")
    return 0


def _start_keystone_cli(port: int | None, glance_port: int | None) -> int:
    if _read_record("keystone"):
        print(f"already running: {_read_record('keystone')}")
        return 0
    glance_port = glance_port or free_port()
    server = KeystoneServer(glance_port, port, state_dir=_record_path("keystone").parent, detach=True)
    return _cli_start("keystone", server, {"glance_port": glance_port})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="openstack_lab.py",
        description="Real Glance/Keystone on 127.0.0.1 for ims-tui tests. State and venvs under "
        f"$IMS_TUI_LAB (now {lab_dir()}).",
    )
    sub = parser.add_subparsers(dest="service", required=True)
    sub.add_parser("install", help=f"install glance=={GLANCE_VERSION} and keystone=={KEYSTONE_VERSION} venvs")
    glance = sub.add_parser("glance", help="start/stop/status a Glance")
    glance.add_argument("action", choices=("start", "stop", "status"))
    glance.add_argument("--mode", choices=MODES, default="noauth")
    glance.add_argument("--port", type=int, help="TCP port on 127.0.0.1 (default: a free one)")
    glance.add_argument("--keystone-url", help="keystone mode: Keystone to trust (default: the one this tool runs)")
    keystone = sub.add_parser("keystone", help="start/stop/status a Keystone")
    keystone.add_argument("action", choices=("start", "stop", "status"))
    keystone.add_argument("--port", type=int, help="TCP port on 127.0.0.1 (default: a free one)")
    keystone.add_argument("--glance-port", type=int, help="port of the image endpoint in the catalog")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.service == "install":
            for spec in (GLANCE_VENV, KEYSTONE_VENV):
                started = time.monotonic()
                venv = ensure_venv(spec)
                print(f"{spec.package}: {venv} ok ({time.monotonic() - started:.1f} s)")
            return 0
        if args.service == "keystone":
            if args.action == "start":
                return _start_keystone_cli(args.port, args.glance_port)
            return _cli_stop("keystone") if args.action == "stop" else _cli_status("keystone")
        name = f"glance-{args.mode}"
        if args.action == "stop":
            return _cli_stop(name)
        if args.action == "status":
            return _cli_status(name)
        if _read_record(name):
            print(f"already running: {_read_record(name)}")
            return 0
        port, keystone_url = args.port, args.keystone_url
        if args.mode == "keystone" and not keystone_url:
            record = _read_record("keystone")
            if record is None:
                port = port or free_port()
                _start_keystone_cli(None, port)
                record = _read_record("keystone")
                assert record is not None
            elif port and port != record["glance_port"]:
                raise LabError(f"the running Keystone lists Glance on port {record['glance_port']}, not {port}")
            port = int(record["glance_port"])
            keystone_url = str(record["url"])
        server = GlanceServer(
            args.mode, port, keystone_url=keystone_url, state_dir=_record_path(name).parent, detach=True
        )
        return _cli_start(name, server, {"mode": args.mode})
    except LabError as exc:
        print(f"openstack_lab: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
