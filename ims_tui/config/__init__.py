"""Configuration: the TOML config file, clouds.yaml/secure.yaml, ``OS_*`` variables, secrets, and the resolver.

The CLI imports this before drawing anything, so it stays light: no Textual, no httpx, no openstacksdk, no
pydantic; PyYAML only when a clouds.yaml exists; pydantic and the file's models (tables.py, profiles.py) only
when a config file is read; the API layer's list query (ims_tui.api.query, plain values) when the first list is
asked for; the rest of the API layer when a session is first opened (resolved.py -> sessions.py).

Imports run one way, with no loop: resolve -> settings, environ, resolved -> clouds -> plans -> values, secrets
-> errors. Imported when needed, still one way: profiles (-> clouds, plans, tables, views) and tables (-> values)
when a config file is read, explain (-> profiles) when a file is wrong, ims_tui.api.query from values at the first
list query, sessions (-> plans, ims_tui.api) at the first session.
"""

from .errors import ConfigError
from .plans import DemoPlan, HuaweiPlan, KeystonePlan, Plan, StaticPlan
from .resolve import ConnectOptions, resolve, where
from .resolved import Resolved
from .secrets import PasswordRequired, Secret, run_password_command
from .settings import default_config_path, load_settings
from .values import UiSettings


def __getattr__(name: str) -> object:
    # The file's schema (profiles.py, tables.py: pydantic) is built when a file is read, not on `import ims_tui.config`.
    if name in ("Profile", "Settings"):
        from . import profiles

        return getattr(profiles, name)
    if name == "FilterSettings":
        from . import tables

        return tables.FilterSettings
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ConfigError",
    "ConnectOptions",
    "DemoPlan",
    "FilterSettings",
    "HuaweiPlan",
    "KeystonePlan",
    "PasswordRequired",
    "Plan",
    "Profile",
    "Resolved",
    "Secret",
    "Settings",
    "StaticPlan",
    "UiSettings",
    "default_config_path",
    "load_settings",
    "resolve",
    "run_password_command",
    "where",
]
