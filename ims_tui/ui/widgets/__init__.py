"""Widgets of the main screen: the virtual image list, the detail pane, the header and status lines."""

from textual.reactive import reactive
from textual.widgets import Input


class SteadyInput(Input):
    """An Input whose cursor does not blink: each blink repaints, which is bytes over SSH for nothing."""

    cursor_blink = reactive(False, init=False)
