"""Which disk format a file holds, from its first and last bytes: qcow2, vmdk, vhd, vhdx, vdi, iso, else raw.

Pure (``detect``) plus one small reader (``read_format``: 64 KiB from the start, 512 bytes from the end), so the
create form can warn before a 20 GiB upload that the file is not the format chosen. The layouts checked:

- qcow2: ``QFI\\xfb`` at 0, then a big-endian version (2 or 3)
- vmdk: a sparse extent ``KDMV`` at 0, or a text descriptor starting ``# Disk DescriptorFile``
- vhdx: ``vhdxfile`` at 0;  vhd: the ``conectix`` footer, copied at 0 for dynamic disks, only at the end for
  fixed ones (hence the tail)
- vdi: VirtualBox's signature ``0xbeda107f`` (little-endian) at 0x40
- iso: ISO 9660's ``CD001`` at byte 1 of sector 16, 17 or 18 (2048-byte sectors: 0x8001, 0x8801, 0x9001)
- raw: anything else; compressed data (gzip, xz, zstd, bzip2) is named, because it is a common mistake
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

HEAD_BYTES = 64 * 1024
TAIL_BYTES = 512
_ISO_OFFSETS = (0x8001, 0x8801, 0x9001)
_COMPRESSED = (
    (b"\x1f\x8b", "gzip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"BZh", "bzip2"),
)


@dataclass(frozen=True)
class DetectedFormat:
    """``disk_format``: a Glance disk format name; ``evidence``: what in the file says so, in plain words."""

    disk_format: str
    evidence: str
    compressed: str | None = None  # "gzip", ... when the data is compressed (then disk_format is "raw")


def detect(head: bytes, tail: bytes = b"") -> DetectedFormat:
    """The format of a file whose first bytes are ``head`` (64 KiB is enough) and last ``tail`` (512)."""
    if head[:4] == b"QFI\xfb":
        version = struct.unpack(">I", head[4:8])[0] if len(head) >= 8 else 0
        return DetectedFormat("qcow2", f"QCOW magic, version {version}")
    if head[:4] == b"KDMV":
        return DetectedFormat("vmdk", "VMDK sparse extent magic")
    if head.lstrip()[:21] == b"# Disk DescriptorFile":
        return DetectedFormat("vmdk", "VMDK descriptor file")
    if head[:8] == b"vhdxfile":
        return DetectedFormat("vhdx", "VHDX file identifier")
    if head[:8] == b"conectix":
        return DetectedFormat("vhd", "VHD footer copy at the start (dynamic disk)")
    if len(tail) >= 512 and tail[-512:-504] == b"conectix":
        return DetectedFormat("vhd", "VHD footer at the end (fixed disk)")
    if len(head) >= 0x44 and struct.unpack("<I", head[0x40:0x44])[0] == 0xBEDA107F:
        return DetectedFormat("vdi", "VirtualBox VDI signature")
    for offset in _ISO_OFFSETS:
        if head[offset : offset + 5] == b"CD001":
            return DetectedFormat("iso", "ISO 9660 volume descriptor")
    for magic, name in _COMPRESSED:
        if head.startswith(magic):
            return DetectedFormat("raw", f"{name}-compressed data, not a disk image", compressed=name)
    if len(head) >= 512 and head[510:512] == b"\x55\xaa":
        return DetectedFormat("raw", "no image header; a boot sector (MBR) at the start")
    return DetectedFormat("raw", "no image header found")


def read_format(path: str | os.PathLike[str]) -> DetectedFormat:
    """``detect`` on the file at ``path``; raises OSError when it cannot be read (a blocking call: run it in a
    worker thread)."""
    with open(Path(path), "rb") as handle:
        head = handle.read(HEAD_BYTES)
        size = os.fstat(handle.fileno()).st_size
        tail = b""
        if size >= TAIL_BYTES:
            handle.seek(size - TAIL_BYTES)
            tail = handle.read(TAIL_BYTES)
    return detect(head, tail)


def mismatch(detected: DetectedFormat, chosen: str | None) -> str | None:
    """The warning to show when the chosen ``disk_format`` disagrees with the file, else None.

    Raw is compatible with anything Glance calls raw-like only: an ISO chosen as raw boots nothing, a qcow2
    chosen as raw boots as garbage, so every difference is worth a line (compressed data always is).
    """
    if detected.compressed:
        return f"the file is {detected.compressed}-compressed: unpack it first, or it will not boot"
    if not chosen or chosen == detected.disk_format:
        return None
    return f"the file looks like {detected.disk_format} ({detected.evidence}), not {chosen}"
