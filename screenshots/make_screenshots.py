"""Write SVG screenshots of the main screens, from the real app on the seeded demo cloud.

.venv/bin/python screenshots/make_screenshots.py [--out screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ims_tui.api.session import SessionInfo, StaticSession  # noqa: E402
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud  # noqa: E402
from ims_tui.ui.app import ImsApp  # noqa: E402
from ims_tui.ui.screens.main import MainScreen  # noqa: E402

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=timezone.utc)

# (file name, terminal size, keys, app options)
SHOTS: list[tuple[str, tuple[int, int], Sequence[str], dict[str, object]]] = [
    ("main-80x24", (80, 24), (), {}),
    ("main-wide-detail-120x40", (120, 40), ("j", "j"), {}),
    ("main-very-wide-160x40", (160, 40), (), {}),
    ("detail-80x24", (80, 24), ("enter",), {}),
    ("filter-80x24", (80, 24), ("f",), {}),
    ("quick-filter-80x24", (80, 24), ("slash", "r", "h", "e", "l"), {}),
    ("raw-search-80x24", (80, 24), ("y", "slash", "o", "s", "_", "enter"), {}),
    ("help-80x24", (80, 24), ("question_mark",), {}),
    ("edit-form-80x24", (80, 24), ("e",), {}),
    ("delete-confirm-80x24", (80, 24), ("d",), {}),
    ("read-only-120x40", (120, 40), (), {"read_only": True}),
    ("ansi-theme-80x24", (80, 24), (), {"theme": "ansi-dark"}),
]


async def shoot(out: Path, name: str, size: tuple[int, int], keys: Sequence[str], options: dict[str, object]) -> Path:
    cloud = DemoCloud(image_count=2000, seed=42, clock=lambda: NOW)
    info = SessionInfo(cloud="demo", region="eu-de", project="demo", user="operator")
    session = StaticSession(info, DEMO_ENDPOINT, transport=cloud.transport)
    app = ImsApp(session, now=lambda: NOW, **options)  # type: ignore[arg-type]

    async def settle() -> None:
        for _ in range(3):
            await pilot.pause()
            await app.workers.wait_for_complete()
        if isinstance(app.screen, MainScreen):
            app.screen.flush_detail()
            await app.workers.wait_for_complete()
        await pilot.pause()

    async with app.run_test(size=size) as pilot:
        await settle()
        for key in keys:
            await pilot.press(key)
            await settle()
        path = out / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(out))
    return path


async def run(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, size, keys, options in SHOTS:
        path = await shoot(out, name, size, keys, options)
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    args = parser.parse_args(argv)
    asyncio.run(run(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
