"""What every benchmark shares: statistics, machine details, a seeded real Glance, python-openstackclient, results.

Run the benchmarks from the repository root as modules (``.venv/bin/python -m bench.run_all``), so that
``tools`` (the lab that starts a real Glance) and ``ims_tui`` are importable.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent
IMS_TUI = str(VENV_BIN / "ims-tui")
CACHE = Path(os.environ.get("IMS_TUI_BENCH_CACHE") or "~/.cache/ims-tui/bench").expanduser()
OSC_VERSION = "10.5.0"
OSC_VENV = CACHE / "osc-venv"
SEED_PREFIX = "bench-"
RESULTS_DIR = BENCH / ".work" / "results"  # raw values of the last run (git-ignored); RESULTS.md is the record


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------ statistics


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


@dataclass
class Figure:
    """One row of the results table."""

    key: str
    what: str
    command: str
    unit: str
    values: list[float]
    goal: str = ""
    met: bool | None = None
    ratio: str = ""
    note: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return median(self.values)

    @property
    def min(self) -> float:
        return min(self.values) if self.values else float("nan")

    @property
    def max(self) -> float:
        return max(self.values) if self.values else float("nan")

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data.update(median=self.median, min=self.min, max=self.max)
        return data


def fmt_value(value: float, unit: str) -> str:
    if value != value:  # NaN
        return "n/a"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "B":
        return f"{value / 1024:.1f} KiB" if value >= 10240 else f"{value:,.0f} B"
    if unit == "B/s":
        return f"{value:,.1f} B/s"
    if unit in ("count", "requests", "GETs"):
        return f"{value:,.0f}"
    return f"{value:,.3g} {unit}".strip()


def print_figures(figures: Sequence[Figure]) -> None:
    for f in figures:
        met = "" if f.met is None else ("met" if f.met else "NOT met")
        print(
            f"{f.what:<58} median {fmt_value(f.median, f.unit):>12}  min {fmt_value(f.min, f.unit):>12}  "
            f"max {fmt_value(f.max, f.unit):>12}  {f.ratio:>10}  {f.goal} {met}"
        )


def save_figures(name: str, figures: Sequence[Figure], extra: dict[str, object] | None = None) -> Path:
    """bench/.work/results/<name>.json: the raw values behind a group of figures (run_all renders the table)."""
    out = RESULTS_DIR
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    payload = {"machine": machine(), "figures": [f.as_dict() for f in figures], "extra": extra or {}}
    path.write_text(json.dumps(payload, indent=1, default=str) + "\n")
    return path


# ------------------------------------------------------------------------------------------------- machine


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    try:
        from importlib.metadata import version

        textual = version("textual")
        httpx_version = version("httpx")
    except Exception:  # noqa: BLE001 - informative only
        textual = httpx_version = "?"
    virt = "unknown"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        virt = (
            subprocess.run(
                ["systemd-detect-virt"], capture_output=True, text=True, timeout=5, check=False
            ).stdout.strip()
            or virt
        )
    with contextlib.suppress(OSError):
        if " hypervisor" in Path("/proc/cpuinfo").read_text():
            virt = f"a virtual machine (CPU hypervisor flag), container: {virt}"
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": mem,
        "virtualisation": virt,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "textual": textual,
        "httpx": httpx_version,
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


# ------------------------------------------------------------------------------------------- a real Glance


@dataclass
class Lab:
    url: str
    images: int
    first_name: str  # the name ims-tui shows on its first row (created_at desc, as it asks Glance)
    pid: int | None


def seed_images(url: str, count: int) -> None:
    with httpx.Client(base_url=url, timeout=30) as client:
        have = client.get("/v2/images", params={"limit": 1000}).json().get("images", [])
        for i in range(len(have), count):
            response = client.post(
                "/v2/images",
                json={"name": f"{SEED_PREFIX}{i:04d}", "disk_format": "qcow2", "container_format": "bare"},
            )
            response.raise_for_status()


def first_row_name(url: str, page_size: int = 200) -> str:
    """The name on ims-tui's first row: the same request it makes (created_at desc), through its own client."""
    from ims_tui.api import ImageClient, ImageListing, ListQuery

    async def first() -> str:
        async with ImageClient(url) as client:
            listing = ImageListing(client, ListQuery(sort=(("created_at", "desc"),)), page_size)
            rows = await listing.load_next_page()
            return rows[0].name or ""

    return asyncio.run(first())


def existing_lab(url: str) -> Lab:
    """A Glance someone else started (e.g. ``python -m tools.openstack_lab glance start``), counted as it is."""
    count, next_url = 0, "/v2/images?limit=1000"
    with httpx.Client(base_url=url, timeout=30) as client:
        while next_url:
            page = client.get(next_url).json()
            count += len(page.get("images", []))
            next_url = page.get("next")
    return Lab(url, count, first_row_name(url), None)


@contextlib.contextmanager
def seeded_glance(images: int = 1000) -> Iterator[Lab]:
    """A real Glance 33 (noauth, tools/openstack_lab.py) on 127.0.0.1 with ``images`` queued images; stopped after."""
    sys.path.insert(0, str(ROOT))
    from tools.openstack_lab import GlanceServer

    server = GlanceServer(mode="noauth")
    started = time.perf_counter()
    server.start()
    try:
        log(f"Glance up on {server.url} (pid {server.pid}) in {time.perf_counter() - started:.1f} s; seeding {images}")
        started = time.perf_counter()
        seed_images(server.url, images)
        log(f"seeded {images} images in {time.perf_counter() - started:.1f} s")
        yield Lab(server.url, images, first_row_name(server.url), server.pid)
    finally:
        pid = server.pid
        server.stop()
        log(f"Glance (pid {pid}) stopped")


# ------------------------------------------------------------------------------------ python-openstackclient


def osc_ready(venv: Path = OSC_VENV) -> bool:
    python = venv / "bin" / "python"
    if not (python.exists() and (venv / "bin" / "openstack").exists()):
        return False
    probe = f"import importlib.metadata as m; assert m.version('python-openstackclient') == {OSC_VERSION!r}"
    return subprocess.run([str(python), "-c", probe], capture_output=True, check=False, timeout=60).returncode == 0


def ensure_osc(venv: Path = OSC_VENV) -> str:
    """The ``openstack`` command of python-openstackclient==OSC_VERSION in its own cached venv (installed once)."""
    if not osc_ready(venv):
        log(f"installing python-openstackclient=={OSC_VERSION} into {venv} (once)")
        venv.parent.mkdir(parents=True, exist_ok=True)
        if venv.exists():
            shutil.rmtree(venv)
        with open(CACHE / "osc-install.log", "w") as out:
            for cmd in (
                [sys.executable, "-m", "venv", str(venv)],
                [str(venv / "bin" / "pip"), "install", "-q", f"python-openstackclient=={OSC_VERSION}"],
            ):
                rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False, timeout=1800).returncode
                if rc != 0:
                    raise RuntimeError(f"{' '.join(cmd)} failed; see {CACHE / 'osc-install.log'}")
        if not osc_ready(venv):
            raise RuntimeError(f"python-openstackclient {OSC_VERSION} did not install; see {CACHE / 'osc-install.log'}")
    return str(venv / "bin" / "openstack")


def osc_argv(openstack: str, url: str, *args: str) -> list[str]:
    """``openstack`` against a noauth Glance: no Keystone, the image endpoint given directly."""
    return [openstack, "--os-auth-type", "none", "--os-endpoint", url, *args]
