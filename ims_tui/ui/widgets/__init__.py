"""Widgets of the main screen: the virtual image list, the detail pane, the header and status lines."""

from functools import cache

from textual import events
from textual.binding import Binding, BindingsMap
from textual.content import Content
from textual.reactive import reactive
from textual.style import Style
from textual.widgets import Checkbox, Input, RadioButton
from textual.widgets._toggle_button import ToggleButton


@cache
def _own_keys(cls: type[Input]) -> dict[str, list[Binding]]:
    """The bindings an Input class declares itself (Input's editing keys and a subclass's own), by key."""
    declared = [binding for klass in reversed(cls.__mro__) for binding in getattr(klass, "BINDINGS", ())]
    return BindingsMap(declared).key_to_bindings


class ImmediateInput(Input):
    """An Input whose own keys (backspace, ctrl+u, home, end, left...) act when they arrive.

    Textual runs a widget's bindings only after the key has bubbled up to the app, message queue by message
    queue; the letters typed after it in the same read have been inserted by then. Over SSH "abcd<BS>e" arrives
    in one read and left "abcd" (the e deleted), "ctrl+u newname" left an empty field. Priority bindings of the
    app and screens still come first: they are checked before the key reaches this widget.
    """

    async def _on_key(self, event: events.Key) -> None:
        bindings = _own_keys(type(self)).get(event.key)
        if bindings:
            event.stop()
            event.prevent_default()
            await self.run_action(bindings[-1].action)  # the most derived class declares it last
            return
        await super()._on_key(event)


class SteadyInput(ImmediateInput):
    """An Input whose cursor does not blink: each blink repaints, which is bytes over SSH for nothing."""

    cursor_blink = reactive(False, init=False)

    def catch(self, event: events.Key) -> bool:
        """Type ``event`` here if it is a printable key that reached the screen while this field has the focus.

        Over a slow link "/rocky" arrives in one read: the keys after "/" were addressed before the field took
        the focus (the field itself never lets a printable key bubble up), and they are text for it.
        """
        # screen.focused, not has_focus: the focus event that sets has_focus may still be queued behind the burst.
        if not (self.screen.focused is self and event.is_printable and event.character):
            return False
        event.stop()
        event.prevent_default()
        self.insert_text_at_cursor(event.character)
        return True


class _ReadsWithoutColour(ToggleButton):
    """A toggle whose state reads without colour: its mark ("●", "X") when on, a blank when off.

    Textual draws the mark in both states and tells them apart by colour alone, which NO_COLOR, a 16-colour theme
    or a screen reader turns into boxes that all look ticked.
    """

    @property
    def _button(self) -> Content:
        if self.value:
            return super()._button
        button_style = self.get_visual_style("toggle--button")
        side_style = Style(foreground=button_style.background, background=self.background_colors[1])
        return Content.assemble((self.BUTTON_LEFT, side_style), (" ", button_style), (self.BUTTON_RIGHT, side_style))


# The Textual class comes first: CSS type selectors (``Checkbox``) follow each class's first base only.
class PlainRadioButton(RadioButton, _ReadsWithoutColour):
    """A RadioButton that reads without colour (``_ReadsWithoutColour``)."""


class PlainCheckbox(Checkbox, _ReadsWithoutColour):
    """A Checkbox that reads without colour (``_ReadsWithoutColour``)."""
