"""Keys that arrive in one burst go where the user meant them: the form's, the filter panel's and the dialogs' share.

Over a slow SSH link "Tab Tab web-01" typed quickly arrives in one read, and Textual hands each key to the widget
that has the focus *when the key arrives*, before the keys ahead of it have run. A Tab that moves the focus only
when its binding runs is too late: the text behind it is already addressed to the field the focus is leaving.
So the keys that move the focus are priority bindings, which run on arrival and move the focus at once with
``set_focus`` (``Widget.focus`` would wait for ``call_later``), and text that still reaches the screen while an
input has the focus (it was addressed to a button, or to the screen before it had a focus) is typed into that
input, as ``MainScreen.on_key`` does after ``/``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import events
from textual.actions import SkipAction
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

MOVES = ("next_field", "previous_field")

# A mixin, not a Screen subclass: a Screen base ahead of ModalScreen in the MRO would let Screen's opaque
# background win over the modal's see-through one. Type checkers see the Screen it is mixed into.
if TYPE_CHECKING:
    _Base = Screen[Any]
else:
    _Base = object


class BurstKeys(_Base):
    """Mixed into a screen whose focus keys (``next_field``, ``previous_field`` bound with ``priority=True`` in its
    scope) move the focus on arrival; it also types stray text into the focused input."""

    def focus_now(self, widget: Widget | None) -> None:
        """Focus ``widget`` at once: keys already on their way must find it focused."""
        if widget is not None and widget.is_attached:
            self.set_focus(widget)

    def after_typing(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the keys already on their way to the focused widget have landed: a priority key
        (an Enter that applies) runs on arrival, ahead of the text typed just before it."""
        target: Widget | None = self.focused
        if target is None:
            callback()
        else:
            target.call_later(callback)

    def action_next_field(self) -> None:
        self._arriving(1)

    def action_previous_field(self) -> None:
        self._arriving(-1)

    def _arriving(self, direction: int) -> None:
        if self.focused is None:
            # Not mounted yet: let the key queue behind the mount, where on_key moves on from the focus the
            # screen starts with.
            raise SkipAction()
        self._move(direction)

    def _move(self, direction: int) -> None:
        if direction > 0:
            self.focus_next()
        else:
            self.focus_previous()

    def on_key(self, event: events.Key) -> None:
        active = self.active_bindings.get(event.key)
        if active is not None and active.node is self and active.binding.action in MOVES:
            # a focus key that came before the screen had a focus (the priority binding let it through)
            event.stop()
            self._move(1 if active.binding.action == MOVES[0] else -1)
            return
        focused: Any = self.focused
        if isinstance(focused, Input) and event.is_printable and event.character:
            # An input never lets a printable key bubble up: this one was addressed to a widget the focus has
            # since left, or to the screen before anything had the focus. It is text for the focused input.
            event.stop()
            event.prevent_default()
            focused.insert_text_at_cursor(event.character)
