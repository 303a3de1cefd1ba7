"""The transfer progress value and its throttle and rate math: pure, so every rule is checked without a clock."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ims_tui.api.progress import REPORT_INTERVAL, Progress, ProgressMeter, rate_of, seconds_left

# (seconds since the previous chunk, bytes in it): what a transfer looks like to the meter
steps = st.lists(st.tuples(st.floats(0, 2.0, allow_nan=False), st.integers(0, 4 * 1024 * 1024)), max_size=300)


@given(steps)
def test_reports_are_throttled_and_never_lose_bytes(chunks: list[tuple[float, int]]) -> None:
    total = sum(count for _, count in chunks)
    meter = ProgressMeter(total, 0.0)
    now, reports = 0.0, []
    for delay, count in chunks:
        now += delay
        report = meter.advance(count, now)
        if report is not None:
            reports.append((now, report))
    final = meter.finish(now)
    times = [moment for moment, _ in reports]
    assert all(later - earlier >= REPORT_INTERVAL for earlier, later in zip(times, times[1:], strict=False))
    assert len(reports) <= now / REPORT_INTERVAL + 1  # at most four a second, plus the first
    done = [report.done for _, report in reports] + [final.done]
    assert done == sorted(done) and final.done == total
    assert final.phase == "done" and final.fraction == 1.0 and final.percent == 100
    assert all(report.rate >= 0 for _, report in reports)


@given(steps)
def test_percent_says_100_only_when_every_byte_is_there(chunks: list[tuple[float, int]]) -> None:
    total = sum(count for _, count in chunks) + 1  # one byte never arrives
    meter = ProgressMeter(total, 0.0)
    now = 0.0
    for delay, count in chunks:
        now += delay
        report = meter.advance(count, now)
        if report is not None:
            assert report.percent is not None and report.percent < 100
            assert report.seconds_left is None or report.seconds_left > 0


def test_rate_follows_the_last_seconds_so_a_stall_shows() -> None:
    meter = ProgressMeter(100 * 2**20, 0.0, window=5.0)
    for second in range(1, 11):
        meter.advance(2**20, float(second))  # 1 MiB/s for ten seconds
    assert meter.snapshot().rate == pytest.approx(2**20)
    assert meter.snapshot().seconds_left == pytest.approx(90, rel=0.01)
    for second in range(11, 18):
        meter.advance(0, float(second))  # then nothing for seven
    stalled = meter.snapshot()
    assert stalled.rate == 0.0 and stalled.seconds_left is None


def test_a_resumed_transfer_counts_earlier_bytes_but_not_in_its_rate() -> None:
    meter = ProgressMeter(1000, 0.0, start=600)
    meter.advance(100, 1.0)
    report = meter.snapshot()
    assert report.done == 700 and report.percent == 70
    assert report.rate == pytest.approx(100.0)
    assert report.seconds_left == pytest.approx(3.0)


def test_a_new_phase_reports_at_once_and_measures_its_own_rate() -> None:
    meter = ProgressMeter(1000, 0.0, phase="hashing")
    meter.advance(500, 0.01)  # read back from disk in 10 ms
    report = meter.set_phase("receiving", 0.01)
    assert report.phase == "receiving" and report.rate == 0.0
    meter.advance(100, 1.01)
    assert meter.snapshot().rate == pytest.approx(100.0)


def test_a_clock_stepping_back_gives_no_negative_rate() -> None:
    meter = ProgressMeter(None, 10.0)
    meter.advance(100, 11.0)
    meter.advance(100, 5.0)
    assert meter.snapshot().rate >= 0


def test_unknown_total_and_empty_transfers() -> None:
    assert Progress(10, None).fraction is None and Progress(10, None).percent is None
    assert Progress(0, 0).fraction == 1.0
    assert seconds_left(10, None, 5.0) is None
    assert seconds_left(10, 10, 0.0) == 0.0
    assert seconds_left(0, 10, 0.0) is None
    assert rate_of([(0.0, 0)]) == 0.0 and rate_of([(1.0, 0), (1.0, 50)]) == 0.0
    with pytest.raises(ValueError):
        ProgressMeter(10, 0.0).advance(-1, 1.0)
