"""Figure 5: a far cloud. Time to the first image row through Keystone, with every request delayed, vs openstack.

    .venv/bin/python -m bench.far_cloud [--runs 7] [--images 300] [--delays 0.05,0.15]

A real Keystone 30 and a keystone-mode Glance 33 (tools/openstack_lab.py), each behind bench/delay_proxy.py's
proxy adding a fixed delay to every request: Keystone's catalog names the proxy in front of Glance, and the
clouds.yaml cloud ``far`` (password auth as the lab's ``demo`` user, project ``demo``) names the proxy in front
of Keystone, so both programs pay the delay on every request, token and catalog included, as over a WAN. Both
start from that one cloud (``OS_CLIENT_CONFIG_FILE``; ``--os-cloud far``). ``--images`` queued images are
created straight on Glance (not timed, not delayed).

Per delay, in rounds (order rotating, one untimed warm-up of each first, which also checks what it lists):

- ``ims-tui --os-cloud far`` in an 80x24 pty: fork to the newest image's name visible, then ``q``, with the
  Keystone login kept by the run before (the warm-up's, at first): the headline row, the one the goal is on;
- the same with the token cache emptied first ("ims-tui, no token cache"): a token POST on the way, as on the
  first start of a day;
- ``openstack --os-cloud far image list --limit 25``: fork to its first table row (the goal's yardstick);
- ``openstack --os-cloud far image list``: fork to its first row (it pages through every image first);
- ``openstack --os-cloud far image show ID``: fork to its ``id`` row.

Ratios are ims-tui / ``--limit 25`` per round, then the median; the goal is at most 0.30x at each delay.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.common import IMS_TUI, OSC_VERSION, ROOT, Figure, ensure_osc, log, median, print_figures, save_figures
from bench.first_page import OSC_ROW
from bench.ptyrun import PtyProgram, terminal_env, visible_text

GOAL_RATIO = 0.30
DELAYS = (0.05, 0.15)  # seconds per request
SHOW_ROW = re.compile(r"\| id\s+\| [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\s+\|")
CLOUDS_YAML = """\
clouds:
  far:
    auth:
      auth_url: {auth_url}
      username: {username}
      password: {password}
      project_name: {project}
      user_domain_id: default
      project_domain_id: default
    region_name: {region}
    interface: public
    identity_api_version: 3
"""


@dataclass
class FarLab:
    env: dict[str, str]
    first_name: str  # the newest image: ims-tui's first row
    image_id: str  # for ``image show``
    images: int
    proxies: list[object]
    cache: Path  # ims-tui's cache folder (XDG_CACHE_HOME): the kept Keystone login is in it

    def requests_seen(self) -> list[int]:
        return [len(proxy.seen) for proxy in self.proxies]  # type: ignore[attr-defined]

    def set_delay(self, delay: float) -> None:
        for proxy in self.proxies:
            proxy.delay = delay  # type: ignore[attr-defined]


@contextlib.contextmanager
def far_lab(images: int) -> Iterator[FarLab]:
    import sys

    sys.path.insert(0, str(ROOT))
    from tools.fault_proxy import FaultProxy
    from tools.openstack_lab import DEMO, REGION, GlanceServer, KeystoneServer, free_port

    with contextlib.ExitStack() as stack:
        glance_port = free_port()
        glance_proxy = stack.enter_context(FaultProxy(f"http://127.0.0.1:{glance_port}"))
        keystone = stack.enter_context(KeystoneServer(glance_port=glance_proxy.port))  # the catalog: the proxy
        keystone_proxy = stack.enter_context(FaultProxy(keystone.base_url))
        glance = stack.enter_context(GlanceServer("keystone", glance_port, keystone_url=keystone.base_url))
        token = keystone.token(DEMO)
        log(f"Keystone {keystone.base_url} and Glance {glance.url} up; seeding {images} images")
        with httpx.Client(base_url=glance.url, headers={"X-Auth-Token": token}, timeout=30) as client:
            for i in range(images):
                body = {"name": f"far-{i:04d}", "disk_format": "qcow2", "container_format": "bare"}
                client.post("/v2/images", json=body).raise_for_status()
            newest = client.get("/v2/images", params={"limit": 1, "sort_key": "created_at", "sort_dir": "desc"})
            first = newest.json()["images"][0]
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ims-tui-far-")))
        clouds = folder / "clouds.yaml"
        clouds.write_text(
            CLOUDS_YAML.format(
                auth_url=keystone_proxy.url + "/v3",
                username=DEMO.username,
                password=DEMO.password,
                project=DEMO.project_name,
                region=REGION,
            )
        )
        cache = folder / "cache"  # this lab's own: a login kept for another lab (other ports) is never tried
        env = terminal_env(OS_CLIENT_CONFIG_FILE=str(clouds), XDG_CACHE_HOME=str(cache))
        yield FarLab(env, first["name"], first["id"], images, [glance_proxy, keystone_proxy], cache)


def run_ims(lab: FarLab, *, kept_login: bool = True) -> float:
    if not kept_login:
        shutil.rmtree(lab.cache, ignore_errors=True)
    program = PtyProgram([IMS_TUI, "--os-cloud", "far"], lab.env).start()
    try:
        seen = program.wait_for_text(re.escape(lab.first_name), timeout=60)
        if seen is None:
            raise RuntimeError(
                f"ims-tui never showed {lab.first_name!r}:\n{visible_text(bytes(program.output))[-2000:]}"
            )
        return seen
    finally:
        program.quit()


def run_osc(openstack: str, lab: FarLab, pattern: re.Pattern[str], *args: str) -> tuple[float, int]:
    """(seconds to the first matching row, rows matching once it exited)."""
    program = PtyProgram([openstack, "--os-cloud", "far", "image", *args], lab.env).start()
    try:
        seen = program.wait_for_text(pattern, timeout=180)
        program.wait_exit(180)
        text = visible_text(bytes(program.output))
        if seen is None:
            raise RuntimeError(f"openstack image {' '.join(args)} printed no row:\n{text[-2000:]}")
        return seen, len(pattern.findall(text))
    finally:
        program.stop()


def measure(lab: FarLab, delay: float, runs: int, openstack: str) -> tuple[list[Figure], dict[str, object]]:
    lab.set_delay(delay)
    programs: dict[str, Callable[[], float]] = {
        "ims": lambda: run_ims(lab),
        "ims_cold": lambda: run_ims(lab, kept_login=False),
        "osc25": lambda: run_osc(openstack, lab, OSC_ROW, "list", "--limit", "25")[0],
        "osc": lambda: run_osc(openstack, lab, OSC_ROW, "list")[0],
        "show": lambda: run_osc(openstack, lab, SHOW_ROW, "show", lab.image_id)[0],
    }
    seen = lab.requests_seen()
    run_ims(lab, kept_login=False)  # warm-up (it keeps the login), and the proof that each lists what it should
    after_ims = lab.requests_seen()
    rows25 = run_osc(openstack, lab, OSC_ROW, "list", "--limit", "25")[1]
    ims_requests = [b - a for a, b in zip(seen, after_ims, strict=True)]
    osc_requests = [b - a for a, b in zip(after_ims, lab.requests_seen(), strict=True)]
    # Both must go through both proxies (a client that followed Keystone's own links would skip the delay).
    log(f"requests through the (Glance, Keystone) proxies: ims-tui {ims_requests}, openstack --limit 25 {osc_requests}")
    rows_all = run_osc(openstack, lab, OSC_ROW, "list")[1]
    run_osc(openstack, lab, SHOW_ROW, "show", lab.image_id)
    if rows25 != 25 or rows_all != lab.images:
        raise RuntimeError(f"openstack listed {rows25} (want 25) and {rows_all} (want {lab.images}) rows")
    times: dict[str, list[float]] = {name: [] for name in programs}
    order = list(programs)
    for round_ in range(runs):
        turn = order[round_ % len(order) :] + order[: round_ % len(order)]
        for name in turn:
            times[name].append(programs[name]())
        log(
            f"{delay * 1000:.0f} ms, round {round_ + 1}/{runs}: " + "  ".join(f"{n} {times[n][-1]:.3f}s" for n in order)
        )
    timeline = probe_timeline(lab, max(3, runs // 2))
    ratios = [a / b for a, b in zip(times["ims"], times["osc25"], strict=True)]
    cold_ratios = [a / b for a, b in zip(times["ims_cold"], times["osc25"], strict=True)]
    ms = f"{delay * 1000:.0f} ms"
    where = f"Keystone + Glance, {ms} per request, {lab.images:,} images"
    osc = f"openstack ({OSC_VERSION}) --os-cloud far image"
    figures = [
        Figure(
            f"far.{ms}.ims",
            f"far cloud, {ms}/request: ims-tui to first image row",
            f"ims-tui --os-cloud far ({where}, pty 80x24)",
            "s",
            times["ims"],
            goal=f"≤ {GOAL_RATIO}× openstack --limit 25",
            met=median(ratios) <= GOAL_RATIO,
            ratio=f"{median(ratios):.2f}× (limit 25); {median(times['ims']) / median(times['osc']):.2f}× (all)",
            extra={"ratios_vs_limit25": ratios},
        ),
        Figure(
            f"far.{ms}.ims_cold",
            f"far cloud, {ms}/request: ims-tui, no token cache",
            f"ims-tui --os-cloud far, its token cache emptied first ({where}, pty 80x24)",
            "s",
            times["ims_cold"],
            ratio=f"{median(cold_ratios):.2f}× (limit 25)",
            extra={"ratios_vs_limit25": cold_ratios},
        ),
        Figure(
            f"far.{ms}.osc25",
            f"far cloud, {ms}/request: openstack image list --limit 25",
            f"{osc} list --limit 25",
            "s",
            times["osc25"],
        ),
        Figure(
            f"far.{ms}.osc", f"far cloud, {ms}/request: openstack image list (all)", f"{osc} list", "s", times["osc"]
        ),
        Figure(
            f"far.{ms}.show", f"far cloud, {ms}/request: openstack image show ID", f"{osc} show ID", "s", times["show"]
        ),
    ]
    return figures, {"times": times, "order": order, "timeline": timeline}


def probe_timeline(lab: FarLab, runs: int) -> dict[str, float]:
    """The start-up probe (bench/_probe.py) on the far cloud: median seconds since the fork of each mark."""
    from bench.startup_profile import probe_run

    marks = [probe_run("", lab.first_name, args=["--os-cloud", "far"], env=lab.env)[0] for _ in range(runs)]
    names = sorted(marks[0], key=lambda name: marks[0][name])
    timeline = {name: median([m[name] for m in marks if name in m]) for name in names}
    log("start-up timeline: " + ", ".join(f"{name} {value:.3f}" for name, value in timeline.items()))
    return timeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--images", type=int, default=300)
    parser.add_argument("--delays", default=",".join(map(str, DELAYS)), help="seconds per request, comma-separated")
    args = parser.parse_args()
    openstack = ensure_osc()
    figures: list[Figure] = []
    extra: dict[str, object] = {}
    with far_lab(args.images) as lab:
        for delay in (float(d) for d in args.delays.split(",")):
            found, raw = measure(lab, delay, args.runs, openstack)
            figures += found
            extra[f"{delay}"] = raw
    save_figures("far_cloud", figures, extra)
    print_figures(figures)


if __name__ == "__main__":
    main()
