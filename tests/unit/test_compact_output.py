"""The compacted terminal output draws exactly the same screen as Textual's own, in fewer bytes.

The oracle is pyte, an independent VT emulator: both streams are played into a screen each, and every cell
(character, colours, bold, italics, underline, blink, reverse, strike), the cursor and the rendition the next
cell would get must match.
"""

from __future__ import annotations

import pyte
from hypothesis import given, settings
from hypothesis import strategies as st

from ims_tui.ui.compact_output import DEFAULT, Rendition, SgrCompactor, apply_sgr, transition

WIDTH, HEIGHT = 24, 8


def play(*chunks: str) -> pyte.Screen:
    screen = pyte.Screen(WIDTH, HEIGHT)
    stream = pyte.Stream(screen)
    for chunk in chunks:
        stream.feed(chunk)
    return screen


def picture(screen: pyte.Screen) -> tuple[object, ...]:
    cells = tuple(tuple(screen.buffer[y][x] for x in range(WIDTH)) for y in range(HEIGHT))
    cursor = screen.cursor
    return cells, (cursor.x, cursor.y), cursor.attrs


def assert_same_screen(raw: str, chunks: list[str] | None = None) -> str:
    compactor = SgrCompactor()
    compacted = [compactor.feed(chunk) for chunk in (chunks or [raw])]
    assert picture(play(*compacted)) == picture(play(raw))
    return "".join(compacted)


colors = st.one_of(
    st.none(),
    st.sampled_from(["31", "37", "90", "97"]),
    st.integers(0, 255).map(lambda n: f"38;5;{n}"),
    st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)).map(
        lambda rgb: "38;2;{};{};{}".format(*rgb)
    ),
)


@st.composite
def styles(draw: st.DrawFn) -> str:
    """One style as Textual writes it (strip.SGR_STYLES, then foreground, then background)."""
    codes = sorted(draw(st.sets(st.sampled_from(["1", "2", "3", "4", "5", "7", "9"]))), key=int)
    fg, bg = draw(colors), draw(colors)
    if fg is not None:
        codes.append(fg)
    if bg is not None:
        codes.append(
            "4" + bg[1:]
            if len(bg) == 2 and bg[0] == "3"
            else bg.replace("38", "48", 1)
            if bg[0] == "3"
            else "10" + bg[1]
        )
    return ";".join(codes)


text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=6)
# What may come between segments: an erase (paints with the background), a mode change, odd SGR codes.
extras = st.sampled_from(["\x1b[K", "\x1b[?25l", "\x1b[?2026h", "\x1b[22m", "\x1b[27;39m", "\x1b[49m", "\x1b[73m", ""])


@st.composite
def frames(draw: st.DrawFn) -> str:
    """A frame the way Textual's compositor writes one: per line a cursor move and chops of styled segments,
    ``\\n`` between lines, the cursor put back at the end."""
    top = draw(st.integers(0, HEIGHT - 1))
    bottom = draw(st.integers(top, HEIGHT - 1))
    parts: list[str] = []
    for y in range(top, bottom + 1):
        x = 0
        for _ in range(draw(st.integers(1, 3))):
            x = draw(st.integers(x, WIDTH - 1))
            parts.append(f"\x1b[{y + 1};{x + 1}H")
            for _ in range(draw(st.integers(1, 3))):
                # A strip never reaches past the screen's edge (that would wrap, and the "\n" could scroll).
                style, segment = draw(styles()), draw(text)[: WIDTH - x]
                if not segment:
                    break
                parts.append(f"\x1b[{style}m{segment}\x1b[0m" if style else segment)
                parts.append(draw(extras))
                x += len(segment)
            if x >= WIDTH - 1:
                break
        if y != bottom:
            parts.append("\n")
    parts.append(f"\x1b[{draw(st.integers(1, HEIGHT))};{draw(st.integers(1, WIDTH))}H")
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(frames(), frames())
def test_frames_draw_the_same_screen_in_no_more_bytes(first: str, second: str) -> None:
    compacted = assert_same_screen(first + second, [first, second])
    assert len(compacted) <= len(first) + len(second)


@settings(max_examples=200, deadline=None)
@given(frames(), st.data())
def test_a_write_cut_anywhere_still_draws_the_same_screen(frame: str, data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(frame)), max_size=4)))
    chunks = [frame[a:b] for a, b in zip([0, *cuts], [*cuts, len(frame)], strict=True)]
    assert_same_screen(frame, chunks)


def test_a_segment_after_another_costs_only_the_colour_that_changes() -> None:
    line = "\x1b[1;1H\x1b[38;5;253;48;5;234m name \x1b[0m\x1b[38;5;115;48;5;234mactive\x1b[0m\n\x1b[2;1H"
    compacted = assert_same_screen("\x1b[0m" + line, ["\x1b[0m", line])
    # The reset waits past the cursor moves (they do not depend on it), to the end of the write.
    assert compacted == "\x1b[0m\x1b[1;1H\x1b[38;5;253;48;5;234m name \x1b[38;5;115mactive\x1b[2;1H\x1b[0m"


def test_turning_bold_off_keeps_dim_on() -> None:
    # SGR 22 ends bold and dim together: the change from bold+dim to dim alone must put dim back.
    have = Rendition(frozenset({"1", "2"}), "31", None)
    want = Rendition(frozenset({"2"}), "31", None)
    assert transition(have, want) == "\x1b[22;2m"
    assert apply_sgr(have, "22;2") == want


def test_an_sgr_code_it_does_not_know_passes_through_and_forgets_the_state() -> None:
    compactor = SgrCompactor()
    out = compactor.feed("\x1b[0m\x1b[1mA\x1b[58;5;3mB\x1b[0m\x1b[1mC")
    # 58 (underline colour) is not modelled: after it only a reset makes the rendition known again.
    assert out == "\x1b[0;1mA\x1b[58;5;3mB\x1b[0;1mC"
    assert apply_sgr(DEFAULT, "58;5;3") is None
