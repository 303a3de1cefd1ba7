"""What ims-tui keeps between runs, in the platform's state folder: saved views and each profile's last sort and
columns. Never in the user's config file, and never a secret: filters, sort keys, column and profile names.

The folder is ``$IMS_TUI_STATE_DIR`` when set (tests point it at a temporary folder), else platformdirs'
``user_state_dir("ims-tui")``. Each file is JSON, written whole to a temporary file beside it with mode 0600 and
renamed over the old one, so a crash leaves the old file or the new one, never half of either. A file that cannot
be read or does not parse is treated as empty, and ``notices`` says so once; it is never fatal.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..private_files import write_private
from .errors import ConfigError, display_path
from .named_views import View, all_views, filter_problem
from .values import Sort, parse_sort

if TYPE_CHECKING:
    from .resolve import ConnectOptions
    from .resolved import Resolved
    from .views import ViewSettings

STATE_ENV = "IMS_TUI_STATE_DIR"
CACHE_ENV = "IMS_TUI_CACHE_DIR"
TOKENS_FOLDER = "tokens"  # in the cache folder: Keystone logins kept between runs (api/keystone/token_cache.py)
VIEWS_FILE = "views.json"
REMEMBERED_FILE = "remembered.json"


def default_state_dir(environ: Mapping[str, str]) -> Path:
    if environ.get(STATE_ENV):
        return Path(os.path.expanduser(environ[STATE_ENV]))
    import platformdirs

    return Path(platformdirs.user_state_dir("ims-tui", appauthor=False))


def default_cache_dir(environ: Mapping[str, str]) -> Path:
    """``$IMS_TUI_CACHE_DIR``, else platformdirs' ``user_cache_dir`` (``$XDG_CACHE_HOME/ims-tui`` on Linux)."""
    if environ.get(CACHE_ENV):
        return Path(os.path.expanduser(environ[CACHE_ENV]))
    import platformdirs

    return Path(platformdirs.user_cache_dir("ims-tui", appauthor=False))


def token_cache_dir(environ: Mapping[str, str]) -> Path:
    return default_cache_dir(environ) / TOKENS_FOLDER


@dataclass(frozen=True)
class Remembered:
    """A profile's list as it was left: its sort (empty: none kept) and columns (None: none kept)."""

    sort: Sort = ()
    columns: tuple[str, ...] | None = None


class StateStore:
    """The state folder's files. ``notices`` collects one line per file found broken, for the app to show."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.notices: list[str] = []
        self._broken: set[str] = set()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> StateStore:
        return cls(default_state_dir(environ))

    # -- saved views

    def saved_views(self) -> dict[str, View]:
        views: dict[str, View] = {}
        for name, data in self._read(VIEWS_FILE).get("views", {}).items():
            view = _view(name, data)
            if view is not None:
                views[name] = view
        return views

    def save_view(self, view: View) -> None:
        """Add or replace ``view`` among the saved ones; raises OSError when the file cannot be written."""
        data = self._read(VIEWS_FILE)
        data.setdefault("views", {})[view.name] = view.to_json()
        self._write(VIEWS_FILE, data)

    # -- each profile's last sort and columns

    def remembered(self, profile: str) -> Remembered:
        entry = self._read(REMEMBERED_FILE).get("profiles", {}).get(profile)
        if not isinstance(entry, dict):
            return Remembered()
        sort: Sort = ()
        if isinstance(entry.get("sort"), str):
            try:
                sort = parse_sort(entry["sort"])
            except ValueError:
                sort = ()
        return Remembered(sort=sort, columns=_columns(entry.get("columns")))

    def remember(self, profile: str, *, sort: Sort | None = None, columns: tuple[str, ...] | None = None) -> None:
        """Keep ``sort`` and/or ``columns`` for ``profile`` (what is not given stays); raises OSError."""
        data = self._read(REMEMBERED_FILE)
        entry = data.setdefault("profiles", {}).setdefault(profile, {})
        if sort is not None:
            entry["sort"] = ",".join(f"{key}:{direction}" for key, direction in sort)
        if columns is not None:
            entry["columns"] = list(columns)
        self._write(REMEMBERED_FILE, data)

    # -- the files

    def _read(self, name: str) -> dict[str, Any]:
        path = self.folder / name
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            return self._broken_file(path, exc)
        if not isinstance(data, dict):
            return self._broken_file(path, ValueError("not a JSON object"))
        return data

    def _broken_file(self, path: Path, exc: Exception) -> dict[str, Any]:
        if path.name not in self._broken:
            self._broken.add(path.name)
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "it is not valid JSON"
            self.notices.append(f"ignored {display_path(path)}: {why} (it is rewritten on the next change)")
        return {}

    def _write(self, name: str, data: dict[str, Any]) -> None:
        write_private(self.folder / name, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        self._broken.discard(name)


def _columns(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value):
        return tuple(value)
    return None


def _view(name: str, data: Any) -> View | None:
    """A saved view, or None for an entry that no longer reads (hand-edited, or from another version)."""
    if not isinstance(data, dict) or not isinstance(data.get("filter", ""), str):
        return None
    text = data.get("filter") or ""
    if filter_problem(text) is not None:
        return None
    try:
        sort = parse_sort(data["sort"]) if isinstance(data.get("sort"), str) else ()
    except ValueError:
        sort = ()
    profile = data.get("profile") if isinstance(data.get("profile"), str) else None
    return View(name, filter=text, sort=sort, columns=_columns(data.get("columns")), profile=profile, source="saved")


def find_view(name: str, config: Mapping[str, ViewSettings], store: StateStore) -> View:
    """``--view NAME``: the view of that name (config first, then saved); an unknown name lists the known ones."""
    views = all_views(config, store.saved_views())
    view = views.by_name.get(name)
    if view is None:
        known = ", ".join(views.names()) or "none"
        raise ConfigError(
            f"{name!r} is not a view (views: {known})",
            key="--view",
            fix="add a [views.NAME] table to the config file, or save one in the app with o",
        )
    return view


def start_view(
    name: str | None, options: ConnectOptions, resolved: Resolved, store: StateStore
) -> tuple[View | None, Resolved]:
    """``--view NAME`` (None without it), and the resolved config it opens on: a view bound to a profile opens
    that profile, unless the command line chose where to connect (then it must be that profile)."""
    if not name:
        return None, resolved
    view = find_view(name, resolved.views, store)
    if view.profile is None or view.profile == resolved.default:
        return view, resolved
    if options.cloud or options.os_cloud or options.demo or options.endpoint:
        raise ConfigError(
            f"view {view.name!r} is for profile {view.profile!r}, not {resolved.default!r}",
            key="--view",
            fix=f"leave out the cloud to open {view.profile!r}, or use a view for this one",
        )
    from .resolve import resolve

    return view, resolve(dataclasses.replace(options, cloud=view.profile))
