"""The lab Glance's configuration for data and import: two file stores, a staging area, the import methods, and
web-download allowed from 127.0.0.1 on any port (tools/openstack_lab.py)."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

from tools import openstack_lab as lab


def ini(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    return parser


@pytest.mark.parametrize("mode", lab.MODES)
def test_every_mode_has_two_file_stores_and_the_import_methods(mode: str, tmp_path: Path) -> None:
    conf = ini(lab.render_glance_conf(tmp_path, mode, keystone_url="http://127.0.0.1:1"))
    assert conf["DEFAULT"]["enabled_backends"] == "fs:file,fast:file"
    assert conf["glance_store"]["default_backend"] == "fs"
    assert conf["fs"]["filesystem_store_datadir"] == f"{tmp_path}/images/"  # where the older lab kept it
    assert conf["fast"]["filesystem_store_datadir"] == f"{tmp_path}/images-fast/"
    assert conf["os_glance_staging_store"]["filesystem_store_datadir"] == f"{tmp_path}/staging/"
    assert conf["DEFAULT"]["enabled_import_methods"] == "[glance-direct,web-download,copy-image]"


def test_web_download_may_fetch_from_loopback_on_any_port(tmp_path: Path) -> None:
    # oslo.config's bounded lists need the brackets: "allowed_ports =" would fail Glance's start-up
    filtering = ini(lab.render_glance_conf(tmp_path, "trusted"))["import_filtering_opts"]
    assert filtering["allowed_hosts"] == "[127.0.0.1]"
    assert filtering["allowed_ports"] == "[]"


def test_each_store_gets_its_own_folder(tmp_path: Path) -> None:
    assert [lab.store_dir(tmp_path, store).name for store in lab.STORES] == ["images", "images-fast"]
