"""The action registry: every binding of the UI is declared there once, and what it derives matches Textual."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

import ims_tui.ui
from ims_tui.ui import keys


def declared_bindings() -> dict[str, tuple[type, Binding]]:
    """Every Binding with an id in a BINDINGS list of a class of ims_tui.ui, by id."""
    found: dict[str, tuple[type, Binding]] = {}
    for module_info in pkgutil.walk_packages(ims_tui.ui.__path__, "ims_tui.ui."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, DOMNode) and value.__module__ == module.__name__:
                for binding in value.__dict__.get("BINDINGS", ()):
                    if isinstance(binding, Binding) and binding.id:
                        assert binding.id not in found, f"{binding.id} bound by two classes"
                        found[binding.id] = (value, binding)
    return found


def test_every_binding_of_the_ui_is_the_registry_s() -> None:
    found = declared_bindings()
    for binding_id, (owner, binding) in found.items():
        action = keys.BY_ID.get(binding_id)
        assert action is not None, f"{owner.__name__}: {binding_id} is not in ui/keys.py"
        assert binding == action.binding(), f"{owner.__name__}: {binding_id}"
    unbound = {action.id for action in keys.ACTIONS if action.id not in found}
    assert unbound == set(), "declared in ui/keys.py but bound nowhere"


def test_the_registry_s_scopes_are_what_their_classes_bind() -> None:
    owners = {binding_id.partition(".")[0]: owner for binding_id, (owner, _b) in declared_bindings().items()}
    assert set(owners) == {action.scope for action in keys.ACTIONS}
    for scope, owner in owners.items():
        assert owner.__dict__["BINDINGS"] == keys.bindings(scope), scope


def test_ids_are_unique_described_and_scoped() -> None:
    assert len(keys.known_ids()) == len(keys.ACTIONS)
    for action in keys.ACTIONS:
        assert action.description and "." in action.id and action.scope == action.id.split(".")[0]
        assert bool(action.title) == bool(action.summary), action.id


TWO_KEYS = ["main.quick_filter", "main.server_filter", "main.refresh", "main.create", "main.edit", "main.delete"]
TWO_KEYS += ["app.help", "app.switch_cloud", "table.down", "table.up"]


@pytest.mark.parametrize("binding_id", TWO_KEYS)
def test_the_keys_operators_rely_on_keep_a_second_key(binding_id: str) -> None:
    # tmux and some terminals eat one of them (F-keys, ctrl+r, ?): the main actions keep two.
    assert "," in keys.BY_ID[binding_id].keys


def test_writes_are_the_main_screen_s_actions_that_change_the_cloud() -> None:
    changes = {"create", "edit", "delete", "upload", "import_data", "toggle_active", "toggle_hidden", "bulk_menu"}
    changes |= {"delete_from_store"}
    changes |= {"accept_share", "reject_share", "pending_share"}  # the members panel refuses its own writes
    changes |= {"export_obs", "obs_create", "kv_tags"}  # IMS's jobs through OBS, and key/value tags
    changes.add("edit_in_editor")  # the $EDITOR edit sends a patch
    changes.add("ims_copy")  # IMS's copy starts a job; its quota panel (Q) only reads
    assert keys.writes("main") == changes  # download and stopping a transfer change nothing on the cloud
    assert all(not action.writes for action in keys.ACTIONS if action.scope != "main")


def test_keymap_check_expands_short_ids_and_warns_on_typos() -> None:
    checked, warnings = keys.check_keymap({"refresh": "ctrl+l", "main.delete": "ctrl+d", "delte": "x"})
    assert checked == {"main.refresh": "ctrl+l", "detail.refresh": "ctrl+l", "main.delete": "ctrl+d"}
    assert warnings == ["config [ui] keymap: 'delte' is not a binding id (? lists them)"]


def test_keymap_moves_a_key_and_names_it_as_textual_does() -> None:
    keymap = keys.Keymap({"main.delete": "ctrl+d", "app.help": "?,f1"})
    delete = keys.BY_ID["main.delete"]
    assert keymap.bound("d", ("table", "main", "app")) is None
    assert keymap.bound("ctrl+d", ("table", "main", "app")) is delete
    assert keymap.keys_of(delete) == ["ctrl+d"]
    assert keymap.keys_of(keys.BY_ID["app.help"]) == ["question_mark", "f1"]
    assert keymap.keys_of(keys.BY_ID["main.refresh"]) == ["r", "ctrl+r", "f5"]


def test_the_innermost_scope_wins() -> None:
    keymap = keys.Keymap({"table.down": "slash"})
    assert keymap.bound("slash", ("table", "main")) is keys.BY_ID["table.down"]
    assert keymap.bound("slash", ("main",)) is keys.BY_ID["main.quick_filter"]


SCOPES = sorted({action.scope for action in keys.ACTIONS})
KEYS = ["a", "d", "r", "ctrl+d", "f5", "slash", "escape", "question_mark", "j", "down", "ctrl+s"]


KEYMAPS = st.dictionaries(
    st.sampled_from(sorted(keys.known_ids())),
    st.lists(st.sampled_from(KEYS), min_size=1, max_size=2, unique=True).map(",".join),
    max_size=5,
)


@given(KEYMAPS)
def test_keys_in_effect_are_the_ones_textual_binds(overrides: dict[str, str]) -> None:
    keymap = keys.Keymap(overrides)
    for scope in SCOPES:
        textual = BindingsMap(keys.bindings(scope))
        textual.apply_keymap(overrides)
        for key, bound in textual.key_to_bindings.items():
            assert keymap.bound(key, (scope,)) is keys.BY_ID[bound[0].id or ""]
        for action in keys.ACTIONS:
            if action.scope == scope:
                expected = [k for k, bound in textual.key_to_bindings.items() if any(b.id == action.id for b in bound)]
                assert keymap.keys_of(action) == expected


@pytest.mark.parametrize("scope", SCOPES)
def test_bindings_of_a_scope_keep_the_declared_order(scope: str) -> None:
    assert [b.id for b in keys.bindings(scope) if isinstance(b, Binding)] == [
        a.id for a in keys.ACTIONS if a.scope == scope
    ]
