"""The embedded demo cloud: a Glance-v2-compatible image service in-process behind an httpx transport."""

from .seed import DEMO_PROJECT_ID
from .service import DEMO_ENDPOINT, DemoCloud
from .transport import DemoTransport

__all__ = ["DEMO_ENDPOINT", "DEMO_PROJECT_ID", "DemoCloud", "DemoTransport"]
