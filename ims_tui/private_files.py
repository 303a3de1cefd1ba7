"""Files only their owner may read, written whole or not at all: the state folder's and the kept Keystone logins.

Plain Python on purpose: ``config/`` (the state folder) and ``api/keystone/`` (the token cache) both write through
it, and neither may import the other.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_private(path: Path, text: str, *, durable: bool = True) -> None:
    """Write ``text`` to ``path`` with mode 0600 (in a folder made 0700), through a temporary file renamed over it,
    so a reader sees the old file or the new one, never half of one. ``durable``: synced to disk before the rename
    (a file a crash may tear is only worth skipping that when the reader treats a torn file as absent). Raises
    OSError."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # mkstemp creates the file with mode 0600, and the rename keeps it.
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
