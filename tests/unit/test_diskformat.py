"""Disk formats from real header layouts, built here byte by byte (no image fixtures)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from ims_tui.api.diskformat import HEAD_BYTES, DetectedFormat, detect, mismatch, read_format


def qcow2(version: int = 3, virtual_size: int = 10 * 2**30) -> bytes:
    # magic, version, backing file offset/size, cluster bits, size: the fixed start of a QCOW2 header
    return b"QFI\xfb" + struct.pack(">IQIIQ", version, 0, 0, 16, virtual_size) + bytes(512)


def vmdk_sparse() -> bytes:
    return b"KDMV" + struct.pack("<II", 1, 3) + struct.pack("<QQ", 2**21, 128) + bytes(512)


def vhd_footer() -> bytes:
    # cookie, features, version, data offset, timestamp, creator: the footer's first fields
    return b"conectix" + struct.pack(">IIQI", 2, 0x10000, 512, 0) + b"qem2" + bytes(512 - 32)


def vdi() -> bytes:
    text = b"<<< Oracle VM VirtualBox Disk Image >>>\n"
    return text + bytes(0x40 - len(text)) + struct.pack("<I", 0xBEDA107F) + bytes(400)


def iso(sector: int = 16) -> bytes:
    head = bytearray(2048 * 19)
    head[2048 * sector : 2048 * sector + 6] = b"\x01CD001"
    return bytes(head)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (qcow2(2), "qcow2"),
        (qcow2(3), "qcow2"),
        (vmdk_sparse(), "vmdk"),
        (b"# Disk DescriptorFile\nversion=1\n", "vmdk"),
        (b"vhdxfile" + bytes(1024), "vhdx"),
        (vhd_footer() + bytes(512), "vhd"),
        (vdi(), "vdi"),
        (iso(16), "iso"),
        (iso(17), "iso"),
        (iso(18), "iso"),
        (bytes(4096), "raw"),
        (b"", "raw"),
    ],
    ids=[
        "qcow2v2",
        "qcow2v3",
        "vmdk",
        "vmdk-descriptor",
        "vhdx",
        "vhd-dynamic",
        "vdi",
        "iso16",
        "iso17",
        "iso18",
        "zeros",
        "empty",
    ],
)
def test_formats_from_their_headers(head: bytes, expected: str) -> None:
    assert detect(head).disk_format == expected


def test_qcow2_evidence_names_the_version() -> None:
    assert detect(qcow2(3)).evidence == "QCOW magic, version 3"


def test_a_fixed_vhd_is_found_by_its_footer_at_the_end(tmp_path: Path) -> None:
    path = tmp_path / "fixed.vhd"
    path.write_bytes(bytes(3 * 512) + vhd_footer())
    assert detect(path.read_bytes()[:HEAD_BYTES]).disk_format == "raw"  # nothing at the start
    assert read_format(path).disk_format == "vhd"


def test_an_mbr_disk_is_raw_and_says_so() -> None:
    sector = bytearray(1024)
    sector[510:512] = b"\x55\xaa"
    found = detect(bytes(sector))
    assert found.disk_format == "raw" and "MBR" in found.evidence


@pytest.mark.parametrize(
    ("magic", "name"),
    [(b"\x1f\x8b\x08", "gzip"), (b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"), (b"BZh9", "bzip2")],
)
def test_compressed_data_is_named_and_always_warned_about(magic: bytes, name: str) -> None:
    found = detect(magic + bytes(100))
    assert found.compressed == name
    assert mismatch(found, "raw") == f"the file is {name}-compressed: unpack it first, or it will not boot"


def test_mismatch_words() -> None:
    found = DetectedFormat("qcow2", "QCOW magic, version 3")
    assert mismatch(found, "qcow2") is None
    assert mismatch(found, None) is None
    assert mismatch(found, "raw") == "the file looks like qcow2 (QCOW magic, version 3), not raw"


def test_read_format_reads_only_the_ends(tmp_path: Path) -> None:
    path = tmp_path / "disk.qcow2"
    with open(path, "wb") as handle:
        handle.write(qcow2())
        handle.truncate(50 * 2**20)  # sparse: 50 MiB on paper
    assert read_format(path).disk_format == "qcow2"
    with pytest.raises(OSError):
        read_format(tmp_path / "missing")
