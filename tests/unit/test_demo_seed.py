"""The demo cloud's seed: deterministic, prefix-stable, varied, and hostile where the UI must cope."""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter
from datetime import datetime, timezone

from ims_tui.demo import DEMO_PROJECT_ID, DemoCloud
from ims_tui.demo import seed as seed_data
from ims_tui.demo.schema import BASE_KEYS


def test_same_seed_same_images_and_other_seed_other_images() -> None:
    first, first_members = seed_data.generate(300, seed=42)
    again, again_members = seed_data.generate(300, seed=42)
    other, _ = seed_data.generate(300, seed=7)
    assert first == again and first_members == again_members
    assert [i["id"] for i in first] != [i["id"] for i in other]


def test_the_first_2000_do_not_depend_on_the_count() -> None:
    small, _ = seed_data.generate(2000)
    large, _ = seed_data.generate(5000)
    assert small == large[:2000]


def test_ids_are_uuid4_from_the_seeded_stream() -> None:
    rng = random.Random(42)
    expected = []
    for _ in range(50):
        expected.append(str(uuid.UUID(int=rng.getrandbits(128), version=4)))
        rng.random()  # each image's created_at jitter comes next in the stream
    assert [image_id for image_id, _ in seed_data.skeleton(50, 42)] == expected


def test_timestamps_are_fixed_and_newest_first() -> None:
    images, _ = seed_data.generate(500)
    base = datetime(2026, 11, 1, tzinfo=timezone.utc)
    created = [image["created_at"] for image in images]
    assert all(moment < base for moment in created)
    assert created == sorted(created, reverse=True) and len(set(created)) == len(created)
    assert all(image["created_at"] <= image["updated_at"] <= base for image in images)


def test_variety() -> None:
    images, members = seed_data.generate(2000)
    statuses = Counter(image["status"] for image in images)
    assert set(statuses) == {s for s, _ in seed_data.STATUSES}
    assert statuses.most_common(1)[0][0] == "active"
    assert {image["visibility"] for image in images} == {"public", "private", "shared", "community"}
    assert {image["disk_format"] for image in images} >= set(seed_data.DISK_FORMATS)
    assert {image["container_format"] for image in images} >= set(seed_data.CONTAINER_FORMATS)
    sizes = [image["size"] for image in images if image["size"]]
    assert min(sizes) < 1024**2 and max(sizes) > 10 * 1024**3
    assert any(image["size"] is None and image["status"] == "active" for image in images)
    assert any(image["protected"] for image in images) and any(image["os_hidden"] for image in images)
    assert all(len(image["os_hash_value"]) == 128 for image in images if image["checksum"])
    ims = [image for image in images if "__imagetype" in image]
    assert {image["__imagetype"] for image in ims} == {"gold", "private", "shared", "market"}
    assert all(image["size"] in (0, None) and image["__image_size"].isdigit() for image in ims)
    owners = Counter(image["owner"] for image in images)
    assert DEMO_PROJECT_ID in owners and len(owners) >= 4
    assert any(DEMO_PROJECT_ID in m and m[DEMO_PROJECT_ID] == "accepted" for m in members.values())
    assert all(isinstance(v, str) for image in images for k, v in image.items() if k not in BASE_KEYS)
    names = {image["name"] for image in images}
    for prefix in ("ubuntu-22.04-server-cloudimg-amd64-", "centos-stream-9", "win2022-std-sysprep", "EulerOS 2.9"):
        assert any(name and name.startswith(prefix) for name in names), prefix


def test_hostile_images_are_listable_near_the_top() -> None:
    images, _ = seed_data.generate(60)
    names = [image["name"] for image in images]
    assert any(name is not None and len(name) == 255 for name in names)
    assert "[bold red]not markup[/]" in names
    assert "\x1b[31mred\x1b[0m-image" in names
    assert None in names and "" in names
    assert any(name and "\n" in name and "\t" in name for name in names)
    assert any(name and "中文" in name for name in names) and any(name and "🚀" in name for name in names)
    weird = next(image for image in images if "path/with~slash" in image)
    assert weird["status"] == "active" and weird["visibility"] == "public"
    for index in seed_data.HOSTILE_NAMES:
        assert images[index]["status"] == "active" and not images[index]["os_hidden"]


def test_empty_cloud_has_no_images() -> None:
    assert len(DemoCloud(empty=True).images) == 0


def test_build_time_of_100k_images() -> None:
    started = time.perf_counter()
    cloud = DemoCloud(image_count=100_000)
    elapsed = time.perf_counter() - started
    print(f"\nDemoCloud(image_count=100_000) built in {elapsed:.3f} s")
    assert len(cloud.images) == 100_000
