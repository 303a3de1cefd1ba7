"""clouds.yaml + secure.yaml, read the way openstacksdk reads them, without importing openstacksdk.

A user who runs ``openstack --os-cloud prod image list`` must get the same auth URL, credentials, project, domains,
region, interface and TLS settings here. files.py finds, reads and merges the files; cloud.py turns one cloud into
an ``OpenStackCloud`` the way ``OpenStackConfig.get_one`` does; login.py turns that cloud's auth into a session
plan. tests/unit/test_clouds_yaml_oracle.py compares the results against openstacksdk itself.
"""

from .cloud import OpenStackCloud, build_cloud, normalize_keys
from .files import CloudsFiles, candidates, load_clouds, merge_clouds, search_dirs, unknown_cloud
from .login import plan_cloud

__all__ = [
    "CloudsFiles",
    "OpenStackCloud",
    "build_cloud",
    "candidates",
    "load_clouds",
    "merge_clouds",
    "normalize_keys",
    "plan_cloud",
    "search_dirs",
    "unknown_cloud",
]
