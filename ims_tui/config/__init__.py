"""Configuration: the TOML config file, clouds.yaml/secure.yaml, ``OS_*`` variables, secrets, and the resolver.

The CLI imports this before drawing anything, so it stays light: no Textual, no httpx, no openstacksdk; PyYAML
only when a clouds.yaml exists; the profile models (profiles.py) only when a config file is read; the API layer
when a session is first opened (resolved.py -> sessions.py).

Imports run one way, with no loop: resolve -> settings, environ, resolved -> clouds -> plans -> values -> secrets
-> errors. Imported when needed, still one way: profiles (-> clouds, plans, values) when a config file is
read, explain (-> profiles) when a file is wrong, sessions (-> plans, ims_tui.api) at the first session.
"""

from .errors import ConfigError
from .plans import DemoPlan, HuaweiPlan, KeystonePlan, Plan, StaticPlan
from .resolve import ConnectOptions, resolve, where
from .resolved import Resolved
from .secrets import PasswordRequired, Secret, run_password_command
from .settings import default_config_path, load_settings
from .values import FilterSettings, UiSettings


def __getattr__(name: str) -> object:
    # The file's schema (profiles.py) is built when a file is read, not on `import ims_tui.config`.
    if name in ("Profile", "Settings"):
        from . import profiles

        return getattr(profiles, name)
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
