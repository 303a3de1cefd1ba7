"""The retirement actions' words and patches: deactivate/reactivate (``ImageClient.deactivate``) and hide
(a patch of ``os_hidden``), with what each means for the confirm dialog.

``hidden_ops`` picks ``add`` when the image never carried ``os_hidden`` (Huawei IMS and Glance before v2.7 send
no such key) and ``replace`` when it did: Glance accepts both for a base attribute it has, but a server that
lacks the key may refuse ``replace`` of something that is not there (409 "does not exist" for a property).
"""

from __future__ import annotations

from .models import Image
from .patch import PatchOp

DEACTIVATE_WORDS = (
    "A deactivated image cannot be downloaded or used to boot new servers; servers already running are "
    "not affected. Reactivate makes it usable again. Many clouds allow this to admins only."
)
REACTIVATE_WORDS = "The image becomes active again: it can be downloaded and booted."
HIDE_WORDS = (
    "A hidden image still works but is left out of image lists unless they ask for hidden images "
    "(os_hidden=true); unhide to list it again."
)


def hidden_ops(image: Image, hidden: bool) -> list[PatchOp]:
    """The patch that sets ``os_hidden`` to ``hidden``: ``add`` when the image has no such key, ``replace``
    when it has; no op at all when it already has that value."""
    present = "os_hidden" in image.model_fields_set
    if present and image.os_hidden is hidden:
        return []
    return [{"op": "replace" if present else "add", "path": "/os_hidden", "value": hidden}]
