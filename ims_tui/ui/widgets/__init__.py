"""Widgets of the main screen: the virtual image list, the detail pane, the header and status lines."""

from textual import events
from textual.reactive import reactive
from textual.widgets import Input


class SteadyInput(Input):
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
