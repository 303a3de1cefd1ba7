"""The ``OS_*`` variables of an openrc file, turned into a cloud the way openstacksdk does it.

openstacksdk builds one extra cloud, named "envvars" (or ``OS_CLOUD_NAME``), from every ``OS_*`` variable, and
uses it only when no cloud is named: the variables never override a clouds.yaml cloud. We do the same, so
``source openrc && ims-tui`` and ``openstack image list`` reach the same project with the same credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .clouds import OpenStackCloud, build_cloud

ENVVARS_DEFAULT_NAME = "envvars"
# Variables that choose a cloud or a file rather than describe one: alone, they don't make an environment cloud.
SELECTORS = frozenset({"OS_CLOUD", "OS_REGION_NAME", "OS_CLIENT_CONFIG_FILE", "OS_CLIENT_SECURE_FILE", "OS_CLOUD_NAME"})
# Test-runner variables openstacksdk ignores (OS_TEST_*, oslotest's OS_STDOUT_CAPTURE, OS_LOG_CAPTURE).
_IGNORED_PREFIXES = ("OS_TEST", "OS_STD", "OS_LOG")
_TRUE_WORDS = {"1", "yes", "on", "y"}


def envvars_name(environ: Mapping[str, str]) -> str:
    return environ.get("OS_CLOUD_NAME") or ENVVARS_DEFAULT_NAME


def env_cloud_raw(environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The raw cloud mapping openstacksdk makes of the ``OS_*`` variables, or None when there are none."""
    keys = [k for k in environ if k.startswith("OS_") and not k.startswith(_IGNORED_PREFIXES)]
    if not set(keys) - SELECTORS:
        return None
    raw: dict[str, Any] = {}
    for key in keys:
        if key in SELECTORS - {"OS_REGION_NAME"}:
            continue  # they select; as cloud keys they would only look like a vendor profile name
        raw[key.split("_", 1)[-1].lower()] = environ[key]
    return raw


def env_cloud(environ: Mapping[str, str]) -> OpenStackCloud | None:
    """The environment cloud after openstacksdk's rules, with a warning for values it would silently ignore."""
    raw = env_cloud_raw(environ)
    if raw is None:
        return None
    cloud = build_cloud(envvars_name(environ), raw, envvars_key=envvars_name(environ))
    insecure = environ.get("OS_INSECURE")
    if insecure is not None and insecure.strip().lower() in _TRUE_WORDS:
        # openstacksdk only honours the word "true"; follow it (verification stays on) but say why.
        cloud.warnings.append(
            f"OS_INSECURE={insecure} is ignored (only OS_INSECURE=true turns TLS verification off, as in openstack)"
        )
    return cloud
