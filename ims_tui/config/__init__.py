"""Configuration: the TOML config file, clouds.yaml/secure.yaml, ``OS_*`` variables, secrets, and the resolver.

The CLI imports this before drawing anything, so it stays light: no Textual, no httpx, no openstacksdk; PyYAML
only when a clouds.yaml exists; the API layer when a session is first opened (resolved.py -> sessions.py).

Imports run one way, with no loop: resolve -> settings -> explain -> profiles -> clouds -> plans -> values ->
secrets -> errors (resolve also -> environ, resolved); sessions, imported at the first session, -> plans, ims_tui.api.
"""

from .errors import ConfigError
from .plans import DemoPlan, HuaweiPlan, KeystonePlan, Plan, StaticPlan
from .profiles import Profile, Settings
from .resolve import ConnectOptions, resolve, where
from .resolved import Resolved
from .secrets import PasswordRequired, Secret, run_password_command
from .settings import default_config_path, load_settings
from .values import FilterSettings, UiSettings

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
