"""Every key action of the UI, declared once: bindings, help, the palette, the keymap check and the read-only
guard all read this table.

An action's id (``main.delete``) is what a user's ``[ui] keymap`` names, so an id never changes; the part before
the dot is its scope, one per screen or widget, and ``bindings(scope)`` gives that class its ``BINDINGS``. Keys a
terminal multiplexer may eat (F-keys, some ctrl keys) come with a second key. ``writes`` marks the actions a
read-only session refuses; ``title`` puts an action in the command palette, which shows the key in effect.

``Keymap`` answers "what does this key run here" with the user's keymap applied exactly as Textual applies it
(``BindingsMap.apply_keymap``), disabled actions included, which ``Screen.active_bindings`` leaves out.

Over 450 lines on purpose: ``ACTIONS`` is the one table of every key of every screen (~500 of the ~650 lines),
so a key is declared, found and checked for clashes in one place; the code around it is ~150 lines.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingsMap, BindingType
from textual.dom import DOMNode


@dataclass(frozen=True)
class Action:
    """One thing a key does: its id (keymaps use it), default keys, the action it runs and its description."""

    id: str
    keys: str  # comma-separated, as Textual's Binding takes them
    action: str
    description: str
    writes: bool = False  # refused (hidden, with a notice) in a read-only session
    ims: bool = False  # IMS's own API: hidden on a Glance session
    show: bool = True  # in the footer
    priority: bool = False
    title: str = ""  # its name in the command palette; "" keeps it out
    summary: str = ""  # the palette's second line, before the key in effect

    @property
    def scope(self) -> str:
        return self.id.partition(".")[0]

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.description, show=self.show, priority=self.priority, id=self.id)


ACTIONS: tuple[Action, ...] = (
    # Everywhere (ImsApp)
    Action("app.quit", "q", "quit", "Quit"),
    Action("app.help", "question_mark,f1", "help", "Help", title="Help: keys", summary="Show every key binding"),
    Action("app.switch_cloud", "p,ctrl+o", "switch_cloud", "Cloud"),
    Action(
        "app.request_log",
        "L",
        "request_log",
        "Requests",
        show=False,
        title="Request log",
        summary="Every request of this session: status, time, size, request id; failures marked !",
    ),
    # Enabled once there is an error (ImsApp.check_action); the status lines name it, the footer has no room
    Action(
        "app.last_error",
        "E,ctrl+e",
        "last_error",
        "Last error",
        show=False,
        title="Last error",
        summary="The full text of the last error (status, request, request id), to read or copy",
    ),
    # The image list (ImageTable)
    Action("table.down", "j,down", "cursor_down", "Down", show=False),
    Action("table.up", "k,up", "cursor_up", "Up", show=False),
    Action("table.page_down", "pagedown,ctrl+f", "page_down", "Page down", show=False),
    Action("table.page_up", "pageup,ctrl+b", "page_up", "Page up", show=False),
    Action("table.first", "g,home", "first", "First", show=False),
    Action("table.last", "G,end", "last", "Last", show=False),
    Action(
        "table.select",
        "enter",
        "select",
        "Open",
        show=False,
        title="Open detail",
        summary="Show every attribute of the highlighted image",
    ),
    # The main screen (MainScreen): the footer shows these in this order
    Action(
        "main.quick_filter",
        "slash,f3",
        "quick_filter",
        "Find",
        title="Quick filter",
        summary="Filter the loaded rows by name or id",
    ),
    Action(
        "main.server_filter",
        "f,f4",
        "server_filter",
        "Filter",
        title="Server filter…",
        summary="Filter images on the server",
    ),
    Action(
        "main.clear_filters",
        "F",
        "clear_filters",
        "Clear filters",
        show=False,
        title="Clear server filters",
        summary="Show every image again",
    ),
    Action("main.sort", "s,f6", "cycle_sort", "Sort"),
    Action(
        "main.sort_dir",
        "S,f7",
        "toggle_sort_dir",
        "Sort dir",
        show=False,
        title="Reverse sort direction",
        summary="Toggle ascending / descending",
    ),
    Action(
        "main.views",
        "o",
        "views",
        "Views",
        show=False,
        title="Views…",
        summary="Open a named view (filter, sort, columns), or save the current list as one",
    ),
    Action(
        "main.refresh",
        "r,ctrl+r,f5",
        "refresh",
        "Reload",
        title="Refresh",
        summary="Reload from the first page, keeping the highlighted image",
    ),
    Action("main.raw", "y,v", "raw", "Raw", title="Raw JSON", summary="The highlighted image as the server sent it"),
    Action(
        "main.copy_id", "c,ctrl+y", "copy_id", "Copy", title="Copy image ID", summary="Copy the highlighted image's ID"
    ),
    Action("main.create", "n,insert", "create", "New", writes=True, title="New image", summary="Create an image"),
    Action("main.edit", "e,f2", "edit", "Edit", writes=True, title="Edit image", summary="Edit the highlighted image"),
    Action(
        "main.delete",
        "d,delete",
        "delete",
        "Del",
        writes=True,
        title="Delete image",
        summary="Delete the highlighted image, after a confirmation",
    ),
    # Marks (ui/marks.py), for actions on many images; not in the footer, which has no room left at 80 columns.
    # tmux may eat ctrl+a (a common prefix) and shift+arrows (without xterm-keys): "*" marks all, V and j/k a range.
    Action(
        "main.mark",
        "space",
        "mark",
        "Mark / unmark, down",
        show=False,
        title="Mark or unmark",
        summary="Mark or unmark the highlighted image, then move down",
    ),
    Action(
        "main.mark_range",
        "V",
        "mark_range",
        "Mark a range",
        show=False,
        title="Mark a range",
        summary="From the highlighted row; moving extends it, V or space marks it, Esc cancels",
    ),
    Action("main.mark_down", "shift+down", "mark_down", "Mark, moving down", show=False),
    Action("main.mark_up", "shift+up", "mark_up", "Mark, moving up", show=False),
    Action(
        "main.mark_all",
        "asterisk,ctrl+a",
        "mark_all",
        "Mark all shown",
        show=False,
        title="Mark all shown",
        summary="Mark every row shown (with a quick filter, only the rows it shows)",
    ),
    Action(
        "main.invert_marks",
        "I",
        "invert_marks",
        "Invert marks",
        show=False,
        title="Invert marks",
        summary="Unmark the marked rows shown, mark the others",
    ),
    Action(
        "main.clear_marks",
        "U,ctrl+backslash",
        "clear_marks",
        "Clear marks",
        show=False,
        title="Clear marks",
        summary="Unmark every image (Esc does it too)",
    ),
    # The image's data and life (ui/screens/data_actions.py); where the server lacks one, the action is hidden
    Action(
        "main.upload",
        "u",
        "upload",
        "Upload",
        show=False,
        writes=True,
        title="Upload data",
        summary="Send a local file into the highlighted queued image",
    ),
    Action(
        "main.download",
        "D",
        "download",
        "Download",
        show=False,
        title="Download",
        summary="Save the highlighted image's data to a local file, verified",
    ),
    Action(
        "main.import",
        "i",
        "import_data",
        "Import",
        show=False,
        writes=True,
        title="Import",
        summary="Import data into the image (web-download, glance-direct) or copy it to stores",
    ),
    Action(
        "main.toggle_active",
        "X",
        "toggle_active",
        "Deactivate",
        show=False,
        writes=True,
        title="Deactivate / reactivate",
        summary="Stop (or allow again) downloads and boots of the image",
    ),
    Action(
        "main.toggle_hidden",
        "H",
        "toggle_hidden",
        "Hide",
        show=False,
        writes=True,
        title="Hide / unhide",
        summary="Leave the image out of lists (os_hidden), or list it again",
    ),
    Action(
        "main.cancel_transfer",
        "ctrl+x",
        "cancel_transfer",
        "Stop transfer",
        show=False,
        title="Stop a transfer",
        summary="Stop the newest upload or download, after a question",
    ),
    Action(
        "main.delete_from_store",
        "W",
        "delete_from_store",
        "Delete from store",
        show=False,
        writes=True,
        title="Delete from one store",
        summary="Remove the image's data from one store; it stays in the others",
    ),
    # Sharing (ui/screens/sharing.py): the members panel, the images shared with this project, and the member's
    # answer, which needs the session's own project id (hidden without it, or on an image this project owns)
    Action(
        "main.members",
        "m",
        "members",
        "Members",
        show=False,
        title="Members (sharing)",
        summary="The projects the highlighted image is shared with: add or remove them",
    ),
    Action(
        "main.shared_with_me",
        "M",
        "shared_with_me",
        "Shared with me",
        show=False,
        title="Shared with this project",
        summary="List the images shared with this project: pending, then accepted, rejected, all",
    ),
    Action(
        "main.accept_share",
        "A",
        "accept_share",
        "Accept share",
        show=False,
        writes=True,
        title="Accept share",
        summary="Accept the highlighted image shared with this project (it then lists by default)",
    ),
    Action(
        "main.reject_share",
        "R",
        "reject_share",
        "Reject share",
        show=False,
        writes=True,
        title="Reject share",
        summary="Reject the highlighted image shared with this project",
    ),
    Action(
        "main.pending_share",
        "N",
        "pending_share",
        "Share pending",
        show=False,
        writes=True,
        title="Reset share to pending",
        summary="Answer neither: the highlighted shared image goes back to pending",
    ),
    # Tags and custom properties as text in $EDITOR (ui/screens/editor_edit.py); E is the last error
    Action(
        "main.edit_in_editor",
        "ctrl+g",
        "edit_in_editor",
        "Edit in $EDITOR",
        show=False,
        writes=True,
        title="Edit tags and properties in $EDITOR",
        summary="The highlighted image's tags and custom properties as text, in VISUAL or EDITOR (else vi)",
    ),
    Action(
        "main.jobs",
        "J",
        "jobs",
        "Jobs",
        show=False,
        title="IMS jobs",
        summary="The IMS jobs of this session (copies, exports): status, progress, failures; IMS sessions only",
        ims=True,
    ),
    # IMS's own calls (ui/screens/ims_actions.py): copies and the quota, on IMS sessions only
    Action(
        "main.ims_copy",
        "Y",
        "ims_copy",
        "Copy image",
        show=False,
        writes=True,
        title="Copy image (IMS)",
        summary="Copy the highlighted image in this region or to another one, as an IMS job; IMS sessions only",
        ims=True,
    ),
    Action(
        "main.quota",
        "Q",
        "quota",
        "Quota",
        show=False,
        title="Quota (IMS)",
        summary="The images this account has and may have (IMS's quota); IMS sessions only",
        ims=True,
    ),
    Action("main.back", "escape", "back", "Back", show=False),
    # The column picker (ui/screens/column_picker.py); the choice is screen state, so read-only sessions have it
    Action(
        "main.columns",
        "C",
        "choose_columns",
        "Columns",
        show=False,
        title="Columns",
        summary="Choose and order the list's columns: attributes and custom properties",
    ),
    # Bulk actions (ui/screens/bulk_actions.py) on the marked images, or the highlighted one when none is marked;
    # d and X act on the marks too. The palette lists each kind ("Bulk: add tags"), from api/bulk.py KINDS.
    Action(
        "main.bulk",
        "b",
        "bulk_menu",
        "Bulk",
        show=False,
        writes=True,
        title="Bulk actions…",
        summary="Act on the marked images (or the highlighted one): delete, tag, protect, ..., after a plan",
    ),
    # Export (ui/screens/export_rows.py): writes a local file, nothing to the cloud, so read-only sessions have it too
    Action(
        "main.export",
        "w",
        "export",
        "Export",
        show=False,
        title="Export rows…",
        summary="Write the rows shown (or the marked ones) to a CSV or JSON Lines file",
    ),
    # IMS and OBS (ui/screens/ims_export.py, ims_register.py, ims_tags.py): IMS sessions only
    Action(
        "main.export_obs",
        "O",
        "export_obs",
        "Export to OBS",
        show=False,
        writes=True,
        title="Export to OBS (IMS)",
        summary="Export the highlighted image to a file in an OBS bucket, as an IMS job",
        ims=True,
    ),
    Action(
        "main.obs_create",
        "B",
        "obs_create",
        "Create from OBS",
        show=False,
        writes=True,
        title="Create from OBS (IMS)",
        summary="A new image from a file in OBS (or register one into the highlighted queued image)",
        ims=True,
    ),
    Action(
        "main.kv_tags",
        "T",
        "kv_tags",
        "Key/value tags",
        show=False,
        writes=True,
        title="Key/value tags (IMS)",
        summary="Edit the highlighted image's IMS key/value tags",
        ims=True,
    ),
    # Full-screen detail (DetailScreen)
    Action("detail.back", "escape,q", "back", "Back"),
    Action("detail.refresh", "r,ctrl+r", "refresh", "Refresh"),
    Action("detail.raw", "y,v", "raw", "Raw"),
    Action("detail.copy_id", "c,ctrl+y", "copy_id", "Copy ID"),
    Action("detail.down", "j,down", "scroll_down", "Down", show=False),
    Action("detail.up", "k,up", "scroll_up", "Up", show=False),
    # Raw JSON (RawScreen, and the RawView that scrolls it)
    Action("raw_screen.back", "escape,q", "back", "Back"),
    Action("raw_screen.search", "slash", "search", "Search"),
    Action("raw_screen.next", "n", "next_match", "Next"),
    Action("raw_screen.previous", "N", "previous_match", "Previous"),
    Action("raw_screen.copy", "c,ctrl+y", "copy_json", "Copy JSON"),
    Action("raw_screen.reload", "r,ctrl+r", "refresh", "Reload", show=False),
    Action("raw.down", "j,down", "scroll_down", "Down", show=False),
    Action("raw.up", "k,up", "scroll_up", "Up", show=False),
    Action("raw.top", "g,home", "scroll_home", "Top", show=False),
    Action("raw.bottom", "G,end", "scroll_end", "Bottom", show=False),
    Action("raw.page_down", "pagedown,ctrl+f,space", "page_down", "Page down", show=False),
    Action("raw.page_up", "pageup,ctrl+b", "page_up", "Page up", show=False),
    # Dialogs
    Action("help.close", "escape,q,question_mark", "close", "Close"),
    Action("help.down", "j,down", "scroll_down", "Down", show=False),
    Action("help.up", "k,up", "scroll_up", "Up", show=False),
    Action("error.close", "escape,q", "close", "Close"),
    Action("error.copy", "c,ctrl+y", "copy", "Copy"),
    Action("error.down", "j,down", "scroll_down", "Down", show=False),
    Action("error.up", "k,up", "scroll_up", "Up", show=False),
    Action("password.cancel", "escape", "cancel", "Cancel"),
    Action("clouds.cancel", "escape", "cancel", "Cancel"),
    Action("views.cancel", "escape", "cancel", "Close"),
    # The form, the filter panel, the confirm dialogs and the delete dialog. The keys that move the focus are
    # priority bindings: they run as they arrive, so the keys typed behind them in one burst (a slow SSH link
    # delivers them together) reach the field they were meant for (ui/screens/burst.py).
    Action("image_form.save", "ctrl+s", "save", "Save"),
    Action("image_form.cancel", "escape", "cancel", "Cancel"),
    Action("image_form.add_property", "ctrl+n", "add_property", "Add property", priority=True),
    Action("image_form.reload", "ctrl+r", "reload", "Reload / check", show=False),
    Action("image_form.copy_error", "ctrl+y", "copy_error", "Copy error", show=False),
    Action("image_form.next_field", "tab", "next_field", "Next field", show=False, priority=True),
    Action("image_form.previous_field", "shift+tab", "previous_field", "Previous field", show=False, priority=True),
    Action("image_form.enter", "enter", "enter", "Next field", show=False, priority=True),
    Action("patch_preview.back", "escape", "cancel", "Back to form"),
    Action("patch_preview.confirm", "ctrl+s", "confirm", "Confirm"),
    Action("discard_changes.keep", "escape", "cancel", "Keep editing"),
    Action("form_conflict.back", "escape", "cancel", "Back to form"),
    Action("filter.cancel", "escape", "cancel", "Cancel"),
    Action("filter.apply", "ctrl+s", "apply", "Apply", priority=True),
    Action("filter.clear", "ctrl+l", "clear", "Clear all", priority=True),
    Action("filter.next_field", "tab", "next_field", "Next field", show=False, priority=True),
    Action("filter.previous_field", "shift+tab", "previous_field", "Previous field", show=False, priority=True),
    Action("filter.enter", "enter", "enter", "Apply", show=False, priority=True),
    Action("filter.copy_text", "ctrl+y", "copy_text", "Copy as --filter text", show=False, priority=True),
    # A local path field (ui/widgets/path_field.py): Tab completes as a shell does, then moves on
    Action("path.complete", "tab", "complete", "Complete", show=False),
    Action("confirm.cancel", "escape", "cancel", "Cancel"),
    Action("confirm.yes", "y", "yes", "Yes"),
    Action("confirm.no", "n", "no", "No", show=False),
    Action("confirm.next_field", "tab", "next_field", "Next button", show=False, priority=True),
    Action("confirm.previous_field", "shift+tab", "previous_field", "Previous button", show=False, priority=True),
    Action("delete_image.cancel", "escape", "cancel", "Cancel"),
    Action("delete_image.confirm", "y", "confirm", "Delete"),
    Action("delete_image.cancel_n", "n", "cancel", "Cancel", show=False),
    Action("delete_image.check", "r", "check", "Check again", show=False),
    Action("delete_image.copy_error", "c", "copy_error", "Copy error", show=False),
    Action("lifecycle.copy_error", "c,ctrl+y", "copy_error", "Copy error", show=False),
    # Bulk actions: the menu, the argument, the plan (the delete dialog's keys), the run and its results
    Action("bulk_menu.cancel", "escape", "cancel", "Cancel"),
    Action("bulk_argument.cancel", "escape", "cancel", "Cancel"),
    Action("bulk_folder.cancel", "escape", "cancel", "Cancel"),
    Action("bulk_plan.cancel", "escape", "cancel", "Cancel"),
    Action("bulk_plan.confirm", "y", "confirm", "Send"),
    Action("bulk_plan.cancel_n", "n", "cancel", "Cancel", show=False),
    Action("bulk_progress.stop", "escape", "stop", "Stop sending"),
    Action("bulk_result.close", "escape,q", "close", "Close"),
    Action("bulk_result.retry", "r", "retry", "Retry the failed ones"),
    Action("import_data.copy_error", "ctrl+y", "copy_error", "Copy error", show=False),
    Action("store_delete.check", "r", "check", "Check again", show=False),
    Action("store_delete.copy_error", "c,ctrl+y", "copy_error", "Copy error", show=False),
    # The members panel (ui/screens/members.py); its writes are refused by the panel itself when read-only
    Action("members.close", "escape", "close", "Close"),
    Action("members.add", "a", "add", "Add projects"),
    Action("members.remove", "x,delete", "remove", "Remove"),
    Action("members.share", "s", "make_shared", "Make shared"),
    Action("members.reload", "r", "reload", "Reload"),
    Action("members.copy_error", "ctrl+y", "copy_error", "Copy error", show=False),
    # The request log (ui/screens/request_log.py) and one request in full
    Action("request_log.back", "escape,q", "back", "Back"),
    Action("request_log.filter", "slash", "filter", "Filter"),
    Action("request_log.open", "enter", "open", "Open"),
    Action("request_log.copy", "c,ctrl+y", "copy", "Copy request id"),
    Action("request_log.down", "j", "cursor_down", "Down", show=False),
    Action("request_log.up", "k", "cursor_up", "Up", show=False),
    Action("request_entry.close", "escape,q", "close", "Close"),
    Action("request_entry.copy", "c,ctrl+y", "copy", "Copy request id"),
    # The column picker (screens/column_picker.py): J/K move where tmux eats alt+arrows
    Action("column_picker.cancel", "escape", "cancel", "Cancel"),
    Action("column_picker.toggle", "space", "toggle_column", "Show/hide"),
    Action("column_picker.move_up", "K,alt+up", "move_up", "Move up"),
    Action("column_picker.move_down", "J,alt+down", "move_down", "Move down"),
    Action("column_picker.add", "a", "add", "Add property", show=False),
    # The IMS OBS forms and the key/value tag editor (screens/ims_export.py, ims_register.py, ims_tags.py)
    Action("ims_obs.preview", "ctrl+s", "confirm", "Preview and send"),
    Action("ims_obs.copy_error", "ctrl+y", "copy_error", "Copy error", show=False),
    Action("kv_tags.save", "ctrl+s", "confirm", "Preview and save"),
    Action("kv_tags.copy_error", "ctrl+y", "copy_error", "Copy error", show=False),
    # The IMS jobs screen (screens/jobs.py)
    Action("jobs.back", "escape,q", "back", "Back"),
    Action("jobs.open", "enter", "open", "Open"),
    Action("jobs.lookup", "i", "lookup", "Look up by id"),
    Action("job.close", "escape,q", "close", "Close"),
    # The IMS copy form and the quota panel (screens/ims_copy.py, screens/quota.py)
    Action("ims_copy.review", "ctrl+s", "confirm", "Review", priority=True),
    Action("ims_copy.copy_error", "ctrl+y", "copy_error", "Copy error", show=False),
    Action("quota.close", "escape,q", "close", "Close"),
    Action("quota.reload", "r,ctrl+r", "reload", "Reload"),
)

BY_ID: dict[str, Action] = {action.id: action for action in ACTIONS}

# Where each scope's bindings are grouped in the help screen; a scope not named here shows its class name.
SCOPE_TITLES = {
    "app": "Everywhere",
    "table": "Moving in the list",
    "main": "Images",
    "detail": "Image detail",
    "raw_screen": "Raw JSON",
    "raw": "Raw JSON: moving",
    "error": "Last error",
    "request_log": "Request log",
}


def bindings(scope: str) -> list[BindingType]:
    """The Textual bindings of one scope, in declaration order (the footer's order)."""
    return [action.binding() for action in ACTIONS if action.scope == scope]


def known_ids() -> frozenset[str]:
    """Every binding id a user may remap in the config's [ui] keymap."""
    return frozenset(BY_ID)


def writes(scope: str) -> frozenset[str]:
    """The action names of ``scope`` that change the cloud, refused in a read-only session."""
    return frozenset(action.action for action in ACTIONS if action.scope == scope and action.writes)


def ims_only(scope: str) -> frozenset[str]:
    """The action names of ``scope`` that call IMS's own API, hidden on a Glance session."""
    return frozenset(action.action for action in ACTIONS if action.scope == scope and action.ims)


def check_keymap(keymap: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The config's keymap with short ids expanded ("refresh" remaps main.refresh and detail.refresh alike), and a
    warning for each id that names no action: a typo must not silently leave a key unmapped."""
    checked: dict[str, str] = {}
    warnings: list[str] = []
    for binding_id, keys in keymap.items():
        matches = [binding_id] if binding_id in BY_ID else sorted(i for i in BY_ID if i.endswith("." + binding_id))
        if not matches:
            warnings.append(f"config [ui] keymap: {binding_id!r} is not a binding id (? lists them)")
        for match in matches:
            checked[match] = keys
    return checked, warnings


def _normalized(keys: str) -> str:
    # As App.set_keymap stores them: "?" becomes "question_mark", "/" becomes "slash".
    return ",".join(binding.key for binding in Binding.make_bindings([Binding(keys, "")]))


class Keymap:
    """The keys in effect: the registry with a user's keymap (binding id -> keys) applied the way Textual does."""

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        self.overrides = {binding_id: _normalized(keys) for binding_id, keys in (overrides or {}).items()}
        self._scopes: dict[str, dict[str, tuple[Action, ...]]] = {}

    def _table(self, scope: str) -> dict[str, tuple[Action, ...]]:
        table = self._scopes.get(scope)
        if table is None:
            bound = BindingsMap(bindings(scope))
            bound.apply_keymap(self.overrides)
            table = {
                key: tuple(BY_ID[b.id] for b in found if b.id in BY_ID) for key, found in bound.key_to_bindings.items()
            }
            self._scopes[scope] = table
        return table

    def bound(self, key: str, scopes: Sequence[str]) -> Action | None:
        """The action ``key`` runs where ``scopes`` are the binding chain (innermost first), enabled or not."""
        for scope in scopes:
            found = self._table(scope).get(key)
            if found:
                return found[0]
        return None

    def keys_of(self, action: Action) -> list[str]:
        """The keys that run ``action`` now, in declaration order (a remapped action: the keymap's order)."""
        return [key for key, found in self._table(action.scope).items() if action in found]


def commands(app: App[Any], keymap: Keymap, nodes: Mapping[str, DOMNode]) -> Iterable[SystemCommand]:
    """Palette commands for the actions of ``nodes`` (scope -> the node that runs them, in the palette's order),
    each saying its key in effect; an action its node disables now (``check_action`` False, e.g. writes when
    read-only) is left out."""
    for scope, node in nodes.items():
        for action in ACTIONS:
            if action.scope != scope or not action.title or node.check_action(action.action, ()) is False:
                continue
            keys = keymap.keys_of(action)
            summary = action.summary
            if keys:
                summary += f" ({app.get_key_display(Binding(keys[0], action.action))})"
            yield SystemCommand(action.title, summary, functools.partial(app.run_action, action.action, node))
