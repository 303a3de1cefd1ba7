"""Deterministic, realistic seed images for the demo cloud.

One ``random.Random(seed)`` stream is consumed image by image, in the same way whatever the count, so the first
N images are identical for every count >= N. Timestamps walk backward from a fixed base date (never the real
clock), one image per hour slot, so the default sort (created_at desc) is simply generation order.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta, timezone
from typing import Any

BASE_TIME = datetime(2026, 11, 1, tzinfo=timezone.utc)

# The project the demo user belongs to (what --demo logs in as), plus other tenants that own images.
DEMO_PROJECT_ID = "d3m0000000000000000000000000d3m0"
OTHER_PROJECT_IDS = (
    "4f9a1c2e7b3d4e5f8a6b9c0d1e2f3a4b",
    "a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5",
    "7e2d5c8b1a4f4e3d9c6b0a1f2e3d4c5b",
    "c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4",
)
OWNERS = (DEMO_PROJECT_ID, DEMO_PROJECT_ID, DEMO_PROJECT_ID, *OTHER_PROJECT_IDS)

DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop")
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")
VISIBILITIES = ("public", "private", "shared", "community")
# Every Glance status appears; killed and deleted ones are stored but never listed.
STATUSES = (
    ("active", 800),
    ("queued", 40),
    ("saving", 20),
    ("importing", 20),
    ("uploading", 20),
    ("deactivated", 40),
    ("pending_delete", 20),
    ("killed", 20),
    ("deleted", 20),
)

KB, MB, GB = 1024, 1024**2, 1024**3


def _expand(weighted: tuple[tuple[Any, int], ...]) -> tuple[Any, ...]:
    # A flat table indexed by rng.randrange is much cheaper than rng.choices per image.
    return tuple(value for value, weight in weighted for _ in range(weight))


_STATUS_TABLE = _expand(STATUSES)
_VISIBILITY_TABLE = _expand((("public", 35), ("private", 35), ("shared", 20), ("community", 10)))
_DISK_TABLE = _expand(
    (
        ("qcow2", 40),
        ("raw", 20),
        ("vhd", 8),
        ("vmdk", 6),
        ("iso", 6),
        ("vhdx", 4),
        ("vdi", 3),
        ("ami", 3),
        ("aki", 2),
        ("ari", 2),
        ("ploop", 2),
    )
)
_CONTAINER_TABLE = _expand((("bare", 70), ("ovf", 8), ("ova", 8), ("docker", 7), ("compressed", 7)))
_TAG_POOL = (
    "prod",
    "staging",
    "dev",
    "golden",
    "cis-hardened",
    "gpu",
    "arm64",
    "nightly",
    "lts",
    "deprecated",
    "team:platform",
    "team:data",
    "pci-dss",
    "backup",
)

# (name template, os_distro, os_version, __platform, __os_type, __os_version, min_disk, architecture)
# {d} is the build date (YYYYMMDD) taken from created_at, {n} a small build number.
_FAMILIES = (
    ("ubuntu-22.04-server-cloudimg-amd64-{d}", "ubuntu", "22.04", "Ubuntu", "Linux", "Ubuntu 22.04 server 64bit", 10),
    ("ubuntu-24.04-server-cloudimg-amd64-{d}", "ubuntu", "24.04", "Ubuntu", "Linux", "Ubuntu 24.04 server 64bit", 10),
    ("ubuntu-20.04-server-cloudimg-arm64-{d}", "ubuntu", "20.04", "Ubuntu", "Linux", "Ubuntu 20.04 server 64bit", 8),
    ("centos-stream-9", "centos", "9", "CentOS", "Linux", "CentOS Stream 9 64bit", 10),
    ("centos-stream-10-{d}", "centos", "10", "CentOS", "Linux", "CentOS Stream 10 64bit", 10),
    ("win2022-std-sysprep", "windows", "2022", "Windows", "Windows", "Windows Server 2022 Standard 64bit", 40),
    ("win2019-dc-sysprep-{d}", "windows", "2019", "Windows", "Windows", "Windows Server 2019 Datacenter 64bit", 40),
    ("win2025-std-en-{d}", "windows", "2025", "Windows", "Windows", "Windows Server 2025 Standard 64bit", 50),
    ("EulerOS 2.9 64bit", "euleros", "2.9", "EulerOS", "Linux", "EulerOS 2.9 64bit", 40),
    ("Huawei Cloud EulerOS 2.0 64bit", "hce", "2.0", "EulerOS", "Linux", "Huawei Cloud EulerOS 2.0 64bit", 40),
    ("openEuler 22.03 LTS SP4 64bit", "openeuler", "22.03", "openEuler", "Linux", "openEuler 22.03 64bit", 40),
    ("debian-12-genericcloud-amd64-{d}", "debian", "12", "Debian", "Linux", "Debian GNU/Linux 12 64bit", 4),
    ("debian-11-generic-arm64-{d}", "debian", "11", "Debian", "Linux", "Debian GNU/Linux 11 64bit", 4),
    ("fedora-coreos-40.{d}.3.0", "fedora", "40", "Fedora", "Linux", "Fedora CoreOS 40 64bit", 10),
    ("rhel-9.4-byol", "rhel", "9.4", "RedHat", "Linux", "Red Hat Enterprise Linux 9.4 64bit", 20),
    ("rhel-8.10-byol-{d}", "rhel", "8.10", "RedHat", "Linux", "Red Hat Enterprise Linux 8.10 64bit", 20),
    ("k8s-node-1.31-{d}", "ubuntu", "22.04", "Ubuntu", "Linux", "Ubuntu 22.04 server 64bit", 20),
    ("k8s-node-1.30.{n}", "ubuntu", "22.04", "Ubuntu", "Linux", "Ubuntu 22.04 server 64bit", 20),
    ("rocky-9.4-x86_64-genericcloud", "rocky", "9.4", "Rocky", "Linux", "Rocky Linux 9.4 64bit", 10),
    ("almalinux-9-genericcloud-{d}", "almalinux", "9", "AlmaLinux", "Linux", "AlmaLinux 9 64bit", 10),
    ("opensuse-leap-15.6-{d}", "opensuse", "15.6", "OpenSUSE", "Linux", "openSUSE Leap 15.6 64bit", 10),
    ("cirros-0.6.2-x86_64-disk", "cirros", "0.6.2", "Other", "Linux", "Other Linux(64 bit)", 1),
    ("freebsd-14.1-zfs-{d}", "freebsd", "14.1", "Other", "Other", "FreeBSD 14.1 64bit", 10),
    ("snap-web-{n:02d}-{d}", "ubuntu", "22.04", "Ubuntu", "Linux", "Ubuntu 22.04 server 64bit", 20),
    ("backup-db-prod-{n:02d}-{d}", "centos", "9", "CentOS", "Linux", "CentOS Stream 9 64bit", 100),
    ("app-server-golden-v{n}", "rocky", "9.4", "Rocky", "Linux", "Rocky Linux 9.4 64bit", 20),
)
_DESCRIPTIONS = (
    "Official cloud image, updated weekly",
    "Hardened per CIS level 1; do not modify",
    "Built by packer in CI (pipeline #{n})",
    "Snapshot before the kernel upgrade",
    "Contains the monitoring agent and cloud-init 24.1",
)
_DISK_BUSES = ("virtio", "virtio", "virtio", "scsi", "ide", "sata")
_RAMS = (0, 0, 512, 1024, 2048, 4096, 8192)
_IMS_TYPES = ("gold", "private", "shared", "market")

# Hostile images at fixed positions among the first 60 of the default sort, so the first screen shows them.
HOSTILE_NAMES: dict[int, str | None] = {
    2: "x" * 200 + "-" + "y" * 54,  # exactly 255 characters, the schema's maximum
    5: "中文镜像-测试-ウブンツ-한국어-이미지",
    8: "🚀 rocket-image 🐧 (emoji)",
    11: "[bold red]not markup[/]",
    14: "\x1b[31mred\x1b[0m-image",
    17: "line one\nline two\ttabbed",
    20: None,
    23: "weird-property-keys",
    26: "",
    29: "name: with colon",
}
HOSTILE_PROPERTIES = {"path/with~slash": "a key containing / and ~", "~0not-an-escape": "tilde zero literally"}


_MASK64 = (1 << 64) - 1
_BASE_TS = int(BASE_TIME.timestamp())
_DATE_CACHE: dict[int, str] = {}


def _words(seed: int, index: int, count: int) -> list[int]:
    """``count`` pseudo-random 64-bit words for one image: splitmix64 over (seed, index).

    Seeding ``random.Random`` per image costs ~10 us and each draw is a method call; materializing 100,000
    images for a sort must stay cheap, so each image takes a few words and slices them into bit fields.
    """
    state = (seed * 0xD1B54A32D192ED03 + (index + 1) * 0x9E3779B97F4A7C15 * 0x10001) & _MASK64
    words = []
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & _MASK64
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
        words.append(z ^ (z >> 31))
    return words


def uuid4_string(bits: int) -> str:
    """Same text as ``str(uuid.UUID(int=bits, version=4))``, without building a UUID object."""
    bits = (bits & ~(0xC000 << 48)) | (0x8000 << 48)
    bits = (bits & ~(0xF000 << 64)) | (4 << 76)
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def skeleton(count: int, seed: int = 42) -> list[tuple[str, int]]:
    """(id, created_at as epoch seconds) for each image, newest first: all the store needs up front."""
    rng = random.Random(seed)
    getrandbits, rand = rng.getrandbits, rng.random
    base = _BASE_TS - 60
    return [(uuid4_string(getrandbits(128)), base - index * 3600 - int(rand() * 3000)) for index in range(count)]


def _build_date(ts: int) -> str:
    day = ts // 86400
    text = _DATE_CACHE.get(day)
    if text is None:
        text = _DATE_CACHE[day] = datetime.fromtimestamp(ts, timezone.utc).strftime("%Y%m%d")
    return text


def materialize(seed: int, index: int, image_id: str, created_ts: int) -> tuple[dict[str, Any], dict[str, str]]:
    """The full image (API shape, datetimes for the timestamps) and its seeded memberships ({project: status})."""
    w1, w2, w3, w4, w5 = _words(seed, index, 5)
    created = datetime.fromtimestamp(created_ts, timezone.utc)
    updated = created
    if w1 & 1023 < 410:
        updated = min(created + timedelta(seconds=(w1 >> 10) % (30 * 86400)), BASE_TIME)
    status = _STATUS_TABLE[(w1 >> 32) % len(_STATUS_TABLE)]
    visibility = _VISIBILITY_TABLE[(w1 >> 42) % len(_VISIBILITY_TABLE)]
    owner = OWNERS[(w1 >> 49) % len(OWNERS)]
    template, distro, os_version, platform, os_type, ims_os_version, min_disk = _FAMILIES[
        (w2 & 0xFFFF) % len(_FAMILIES)
    ]
    build = 1 + ((w2 >> 16) & 0xFF) % 39
    name: str | None = template.format(d=_build_date(created_ts), n=build) if "{" in template else template

    disk_format: str | None = _DISK_TABLE[((w2 >> 24) & 0x3FF) % len(_DISK_TABLE)]
    if disk_format in ("ami", "aki", "ari"):
        container_format: str | None = disk_format
    elif disk_format == "iso":
        container_format = "bare"
    else:
        container_format = _CONTAINER_TABLE[((w2 >> 34) & 0x3FF) % len(_CONTAINER_TABLE)]
    has_data = status in ("active", "deactivated", "pending_delete", "killed", "deleted")
    if status == "queued" and (w2 >> 44) & 1:
        disk_format = container_format = None  # registered but never given formats

    size: int | None = None
    virtual_size: int | None = None
    checksum = hash_algo = hash_value = None
    if has_data:
        # log-uniform from 64 KB to 100 GB: both tiny kernels and huge Windows images occur
        size = int(64 * KB * (100 * GB / (64 * KB)) ** ((w3 & 0xFFFFF) / 1048576.0))
        if (w3 >> 20) & 0x3FF < 31:
            size = None  # real clouds have a few active images whose size was never recorded
        else:
            checksum = hashlib.md5(image_id.encode(), usedforsecurity=False).hexdigest()
            hash_algo, hash_value = "sha512", hashlib.sha512(image_id.encode()).hexdigest()
            if disk_format in ("qcow2", "vmdk", "vhdx", "vhd", "vdi") and (w3 >> 30) & 0x3FF < 819:
                virtual_size = max(size, min_disk * GB) + ((w3 >> 40) & 3) * GB
            elif disk_format in ("raw", "iso"):
                virtual_size = size

    pool = len(_TAG_POOL)
    tags = list(dict.fromkeys([_TAG_POOL[((w4 >> (2 + 5 * i)) & 31) % pool] for i in range(w4 & 3)]))
    image: dict[str, Any] = {
        "id": image_id,
        "name": name,
        "disk_format": disk_format,
        "container_format": container_format,
        "visibility": visibility,
        "size": size,
        "virtual_size": virtual_size,
        "status": status,
        "checksum": checksum,
        "protected": (w2 >> 45) & 0x3FF < 82,
        "min_ram": _RAMS[((w2 >> 55) & 0xFF) % len(_RAMS)],
        "min_disk": min_disk if (w3 >> 42) & 0x3FF < 717 else 0,
        "owner": owner,
        "os_hidden": (w3 >> 52) & 0x3FF < 31,
        "os_hash_algo": hash_algo,
        "os_hash_value": hash_value,
        "created_at": created,
        "updated_at": updated,
        "tags": tags,
        "os_distro": distro,
        "os_version": os_version,
        "architecture": "aarch64" if "arm64" in template else "x86_64",
    }
    roll = (w4 >> 17) & 0x3FF
    if roll < 614:
        bus = _DISK_BUSES[((w4 >> 27) & 0xFF) % len(_DISK_BUSES)]
        image["hw_disk_bus"] = bus
        if bus == "scsi":
            image["hw_scsi_model"] = "virtio-scsi"
        image["hw_firmware_type"] = "uefi" if (w4 >> 35) & 0x3FF < 410 else "bios"
        image["hw_qemu_guest_agent"] = "yes" if (w4 >> 45) & 0x3FF < 717 else "no"
    if roll < 256:
        image["description"] = _DESCRIPTIONS[((w4 >> 55) & 0xFF) % len(_DESCRIPTIONS)].format(n=build * 37)
    if w5 & 0x3FF < 307:
        # Huawei IMS style: size fields are 0 and the real size is the string property __image_size.
        image["__os_version"] = ims_os_version
        image["__imagetype"] = _IMS_TYPES[((w5 >> 10) & 0xFF) % len(_IMS_TYPES)]
        image["__image_size"] = str(size or 0)
        image["__platform"] = platform
        image["__os_type"] = os_type
        image["__os_bit"] = "64"
        image["__isregistered"] = "true"
        image["__support_kvm"] = "true"
        image["virtual_env_type"] = "FusionCompute" if (w5 >> 18) & 0x3FF < 205 else "KVM"
        if size is not None:
            image["size"] = 0
            image["virtual_size"] = 0 if virtual_size is not None else None

    members: dict[str, str] = {}
    if visibility == "shared":
        # shared images owned by others are offered to the demo project: mostly accepted, some still pending
        if owner != DEMO_PROJECT_ID:
            members[DEMO_PROJECT_ID] = "accepted" if (w5 >> 28) & 0x3FF < 717 else "pending"
        else:
            members[OTHER_PROJECT_IDS[((w5 >> 38) & 0xFF) % len(OTHER_PROJECT_IDS)]] = "accepted"

    if index in HOSTILE_NAMES:
        # Always listable and visible to everyone, so they show on the first screen in every mode.
        image.update(name=HOSTILE_NAMES[index], status="active", visibility="public", os_hidden=False)
        image["protected"] = False
        if index == 23:
            image.update(HOSTILE_PROPERTIES)
        members = {}
    return image, members


def generate(count: int, seed: int = 42) -> tuple[list[dict[str, Any]], dict[str, dict[str, str]]]:
    """Every image eagerly, newest first, and the memberships of the shared ones ({image id: {project: status}})."""
    images: list[dict[str, Any]] = []
    members: dict[str, dict[str, str]] = {}
    for index, (image_id, created_ts) in enumerate(skeleton(count, seed)):
        image, image_members = materialize(seed, index, image_id, created_ts)
        images.append(image)
        if image_members:
            members[image_id] = image_members
    return images, members


def tiny_disk(size: int = 1024 * 1024) -> bytes:
    """The data the demo's web-download URL serves: the same pseudo-random bytes every time (a raw "disk")."""
    return random.Random(7).randbytes(size)
