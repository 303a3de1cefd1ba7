"""Where the demo cloud keeps image data: in memory up to a limit, then in a temporary folder; and what Glance
computes while it stores (size, md5 checksum, sha512, the format inspector's verdict and virtual size).

A blob is written through a ``BlobWriter`` (chunk by chunk, never the whole body at once) and either committed
under an image id or aborted. Reading gives chunks of any byte range, for downloads with ``Range``.
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from collections.abc import Iterator
from pathlib import Path

MEMORY_LIMIT = 256 * 1024 * 1024  # bytes of image data kept in memory in all; the rest goes to a folder
READ_CHUNK = 64 * 1024
HASH_ALGO = "sha512"
# glance.common.format_inspector.ALL_FORMATS: a disk_format Glance can recognise in the data
INSPECTABLE = frozenset({"raw", "qcow2", "vhd", "vhdx", "vmdk", "vdi", "iso", "gpt", "luks", "ploop"})


def sniff(head: bytes) -> str:
    """The format Glance's inspector would see in data starting with ``head`` (64 KiB): the common ones."""
    if head[:4] == b"QFI\xfb":
        return "qcow2"
    if head[:4] == b"KDMV":
        return "vmdk"
    if head[:8] == b"vhdxfile":
        return "vhdx"
    if head[:8] == b"conectix":
        return "vhd"
    if len(head) >= 0x44 and struct.unpack("<I", head[0x40:0x44])[0] == 0xBEDA107F:
        return "vdi"
    if head[0x8001:0x8006] == b"CD001":
        return "iso"
    return "raw"


def virtual_size(fmt: str, head: bytes, size: int) -> int | None:
    """What Glance records as ``virtual_size``: the disk size for qcow2 (header offset 24), the byte size for
    raw data; None where the demo does not read the header (vmdk, vhd, ...)."""
    if fmt == "qcow2" and len(head) >= 32:
        return int(struct.unpack(">Q", head[24:32])[0])
    if fmt in ("raw", "iso"):
        return size
    return None


class BlobStore:
    """image data by key; memory first (``limit`` bytes in all), then files in a private temporary folder."""

    def __init__(self, limit: int = MEMORY_LIMIT, folder: str | os.PathLike[str] | None = None) -> None:
        self.limit = limit
        self._folder = Path(folder) if folder is not None else None
        self._own_folder: tempfile.TemporaryDirectory[str] | None = None
        self._memory: dict[str, bytes] = {}
        self._files: dict[str, Path] = {}
        self.in_memory = 0

    def folder(self) -> Path:
        if self._folder is None:
            self._own_folder = tempfile.TemporaryDirectory(prefix="ims-tui-demo-data-")
            self._folder = Path(self._own_folder.name)
        return self._folder

    def writer(self, key: str) -> BlobWriter:
        return BlobWriter(self, key)

    def __contains__(self, key: object) -> bool:
        return key in self._memory or key in self._files

    def size(self, key: str) -> int:
        if key in self._memory:
            return len(self._memory[key])
        return self._files[key].stat().st_size

    def read(self, key: str, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        """Bytes ``start`` to ``stop`` (exclusive; None: the end) in chunks."""
        if key in self._memory:
            data = self._memory[key]
            stop = len(data) if stop is None else stop
            for offset in range(start, stop, READ_CHUNK):
                yield data[offset : min(stop, offset + READ_CHUNK)]
            return
        with open(self._files[key], "rb") as handle:
            handle.seek(start)
            left = (self.size(key) if stop is None else stop) - start
            while left > 0:
                chunk = handle.read(min(READ_CHUNK, left))
                if not chunk:
                    return
                left -= len(chunk)
                yield chunk

    def move(self, source: str, key: str) -> None:
        """The blob ``source`` is now ``key`` (staged data becoming the image's)."""
        self.delete(key)
        if source in self._memory:
            self._memory[key] = self._memory.pop(source)
        else:
            self._files[key] = self._files.pop(source)

    def digest(self, key: str) -> Digest:
        digest = Digest()
        for chunk in self.read(key):
            digest.update(chunk)
        return digest

    def delete(self, key: str) -> None:
        if key in self._memory:
            self.in_memory -= len(self._memory.pop(key))
        elif key in self._files:
            self._files.pop(key).unlink(missing_ok=True)

    def close(self) -> None:
        self._memory.clear()
        self._files.clear()
        self.in_memory = 0
        if self._own_folder is not None:
            self._own_folder.cleanup()
            self._own_folder, self._folder = None, None


class Digest:
    """What Glance computes of data as it passes: size, md5, sha512, and the first 64 KiB to inspect."""

    def __init__(self) -> None:
        self.size = 0
        self.head = b""
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha = hashlib.new(HASH_ALGO)

    def update(self, chunk: bytes) -> None:
        self._md5.update(chunk)
        self._sha.update(chunk)
        if len(self.head) < READ_CHUNK:
            self.head += chunk[: READ_CHUNK - len(self.head)]
        self.size += len(chunk)

    @property
    def checksum(self) -> str:
        return self._md5.hexdigest()

    @property
    def hash_value(self) -> str:
        return self._sha.hexdigest()


class BlobWriter(Digest):
    """One blob being written: hashes as it goes, and goes to a file once memory would pass the limit."""

    def __init__(self, store: BlobStore, key: str) -> None:
        super().__init__()
        self.store = store
        self.key = key
        self._parts: list[bytes] = []
        self._file: Path | None = None

    def write(self, chunk: bytes) -> None:
        self.update(chunk)
        if self._file is None and self.store.in_memory + self.size > self.store.limit:
            self._file = self.store.folder() / f"{self.key.replace('/', '_')}.{id(self)}"
            with open(self._file, "wb") as handle:
                handle.writelines(self._parts)
            self._parts = []
        if self._file is not None:
            with open(self._file, "ab") as handle:
                handle.write(chunk)
        else:
            self._parts.append(chunk)

    def commit(self) -> None:
        store = self.store
        store.delete(self.key)
        if self._file is not None:
            store._files[self.key] = self._file
        else:
            data = b"".join(self._parts)
            store._memory[self.key] = data
            store.in_memory += len(data)
        self._parts, self._file = [], None

    def abort(self) -> None:
        if self._file is not None:
            self._file.unlink(missing_ok=True)
        self._parts, self._file = [], None
