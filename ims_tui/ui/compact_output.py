"""Fewer bytes per frame for the same screen: SGR changes instead of a reset and a full style per segment.

Textual writes every styled segment as ``ESC[<full style>m text ESC[0m`` and every line as ``\\n`` + an absolute
cursor move. On a list row of three segments and the scrollbar that is ~110 bytes of escapes for 80 cells, and
a held key that scrolls the list rewrites every row (bench/RESULTS.md, "held key"). ``SgrCompactor`` rewrites
the stream the terminal gets: it tracks the graphic rendition the terminal has and the one the next cell needs,
and writes only the difference, just before something is drawn. What the terminal shows is the same cell for
cell: a cursor move (CUP) does not depend on the rendition, so a pending change may wait across it; anything
else (text, an erase that paints with the background, any other sequence) gets the exact rendition first.
A ``\\n`` right before a cursor move is dropped: the move puts the cursor where it goes anyway.

The compactor knows the SGR codes Textual writes (``strip.SGR_STYLES``, 16/256/true colours); any other SGR
sequence passes through as it came, and the rendition counts as unknown until the next reset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Bold and dim are both turned off by 22, underline and double underline by 24, frame and encircle by 54.
_OFF = {"1": "22", "2": "22", "3": "23", "4": "24", "21": "24", "5": "25", "6": "25", "7": "27", "8": "28"}
_OFF |= {"9": "29", "51": "54", "52": "54", "53": "55"}
_CLEARS = {"22": ("1", "2"), "23": ("3",), "24": ("4", "21"), "25": ("5", "6"), "27": ("7",), "28": ("8",)}
_CLEARS |= {"29": ("9",), "54": ("51", "52"), "55": ("53",)}
_ORDER = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "21", "51", "52", "53")

_TOKEN = re.compile(
    r"(?P<sgr>\x1b\[(?P<params>[0-9;]*)m)"
    r"|(?P<cup>\x1b\[[0-9]*(?:;[0-9]*)?H)"
    r"|(?P<newline>\n(?=\x1b\[[0-9]*(?:;[0-9]*)?H))"
    r"|(?P<text>[^\x1b]+)"
    r"|(?P<escape>\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[P_^][^\x1b]*\x1b\\|(?![\[\]P_^])[ -~]))"
    # cut off at the end of a write: the rest comes with the next one, as text to this module
    # an escape cut off at the end of a write: its rest comes with the next write, and passes as text
    r"|(?P<partial>\x1b.*)",
    re.DOTALL,
)


@dataclass(frozen=True)
class Rendition:
    """The graphic rendition of the next cell: attributes on, and the colour codes (None: the default)."""

    attributes: frozenset[str] = frozenset()
    fg: str | None = None
    bg: str | None = None

    def codes(self) -> list[str]:
        codes = [code for code in _ORDER if code in self.attributes]
        return codes + [color for color in (self.fg, self.bg) if color is not None]


DEFAULT = Rendition()


def apply_sgr(state: Rendition, params: str) -> Rendition | None:
    """``state`` after ``ESC[<params>m``; None for a code this module does not model."""
    codes = params.split(";") if params else ["0"]
    attributes, fg, bg = set(state.attributes), state.fg, state.bg
    index = 0
    while index < len(codes):
        code = codes[index] or "0"
        index += 1
        if code == "0":
            attributes, fg, bg = set(), None, None
        elif code in _OFF:
            attributes.add(code)
        elif code in _CLEARS:
            attributes.difference_update(_CLEARS[code])
        elif code in ("38", "48"):
            width = {"5": 2, "2": 4}.get(codes[index] if index < len(codes) else "", 0)
            if not width or index + width > len(codes):
                return None
            color = ";".join(codes[index - 1 : index + width])
            index += width
            fg, bg = (color, bg) if code == "38" else (fg, color)
        elif code == "39":
            fg = None
        elif code == "49":
            bg = None
        elif len(code) == 2 and code[0] in "39" and code[1] in "01234567":
            fg = code
        elif (len(code) == 2 and code[0] == "4" or len(code) == 3 and code[:2] == "10") and code[-1] in "01234567":
            bg = code
        else:
            return None
    return Rendition(frozenset(attributes), fg, bg)


def transition(have: Rendition | None, want: Rendition) -> str:
    """The shortest SGR sequence that takes the terminal from ``have`` (None: unknown) to ``want``."""
    if have == want:
        return ""
    full = "\x1b[" + ";".join(["0", *want.codes()]) + "m" if want != DEFAULT else "\x1b[0m"
    if have is None:
        return full
    off = sorted({_OFF[code] for code in have.attributes - want.attributes})
    # 22 also turns dim (or bold) off, 24 double underline, 54 its partner: put back what must stay.
    cleared = {code for name in off for code in _CLEARS[name]}
    on = [code for code in _ORDER if code in want.attributes and (code not in have.attributes or code in cleared)]
    colors = []
    if want.fg != have.fg:
        colors.append(want.fg or "39")
    if want.bg != have.bg:
        colors.append(want.bg or "49")
    diff = "\x1b[" + ";".join([*off, *on, *colors]) + "m"
    return diff if len(diff) < len(full) else full


class SgrCompactor:
    """Rewrites terminal output so each change of rendition costs only what changed (see the module's doc).

    Stateful across ``feed`` calls (one call per write); every call ends with the terminal in exactly the
    rendition the unchanged output would have left it in.
    """

    def __init__(self) -> None:
        self.have: Rendition | None = None  # what the terminal has (None: unknown)
        self.want: Rendition | None = None  # what the output asked for so far

    def feed(self, data: str) -> str:
        out: list[str] = []
        for match in _TOKEN.finditer(data):
            kind = match.lastgroup
            if kind == "sgr":
                params = match["params"]
                base = self.want
                if base is None and (params in ("", "0") or params.startswith(("0;", ";"))):
                    base = DEFAULT  # a reset first: what follows is known again
                known = apply_sgr(base, params) if base is not None else None
                if known is None:  # not modelled: let it through as it is, and forget what the terminal has
                    out.append(self._settle())
                    out.append(match[0])
                    self.have = self.want = None
                else:
                    self.want = known
            elif kind in ("cup", "newline"):
                if kind == "cup":
                    out.append(match[0])
            else:
                out.append(self._settle())
                out.append(match[0])
                if kind == "partial":
                    self.have = self.want = None
        out.append(self._settle())
        return "".join(out)

    def _settle(self) -> str:
        if self.want is None or self.want == self.have:
            return ""
        sequence = transition(self.have, self.want)
        self.have = self.want
        return sequence


def compact_driver(base: type[Any]) -> type[Any]:
    """``base`` (a Textual driver class) with its output passed through an ``SgrCompactor``."""

    class CompactDriver(base):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._compactor = SgrCompactor()

        def write(self, data: str) -> None:
            super().write(self._compactor.feed(data))

        def resume_application_mode(self) -> None:
            # Whatever ran while the app was suspended (ctrl+g's editor) left the terminal's rendition unknown.
            self._compactor = SgrCompactor()
            super().resume_application_mode()

    CompactDriver.__name__ = CompactDriver.__qualname__ = f"Compact{base.__name__}"
    return CompactDriver
