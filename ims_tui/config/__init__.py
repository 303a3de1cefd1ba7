"""Configuration: the TOML config file, clouds.yaml/secure.yaml, ``OS_*`` variables, secrets, and the resolver.

The CLI imports this before drawing anything, so it stays light: no Textual, no httpx, no openstacksdk; PyYAML
only when a clouds.yaml exists. The API layer is imported when a session is first built.
"""

from .errors import ConfigError
from .resolve import HOW_TO_START, ConnectOptions, Resolved, SessionPlan, resolve, where
from .secrets import PasswordRequired, Secret, run_password_command
from .settings import FilterSettings, Profile, Settings, UiSettings, default_config_path, load_settings

__all__ = [
    "HOW_TO_START",
    "ConfigError",
    "ConnectOptions",
    "FilterSettings",
    "PasswordRequired",
    "Profile",
    "Resolved",
    "Secret",
    "SessionPlan",
    "Settings",
    "UiSettings",
    "default_config_path",
    "load_settings",
    "resolve",
    "run_password_command",
    "where",
]
