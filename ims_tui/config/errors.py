"""The one error type the configuration layer raises; the CLI prints ``format()`` and exits with ``exit_code``."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: Path | str | None) -> str:
    """A path as the user would type it: ``~/...`` under the home directory, so messages stay short."""
    if path is None:
        return ""
    text = str(path)
    home = os.path.expanduser("~")
    if home and home != "/" and (text == home or text.startswith(home + os.sep)):
        return "~" + text[len(home) :]
    return text


class ConfigError(Exception):
    """A configuration problem the user must fix: one line naming the file, the key, the problem and the fix.

    Never carries a secret: messages are built from key names, paths and exit statuses only.
    """

    # 2 is what argparse uses for usage errors; a wrong config file is the same kind of mistake.
    exit_code = 2

    def __init__(
        self,
        problem: str,
        *,
        file: Path | str | None = None,
        key: str | None = None,
        fix: str | None = None,
        line: int | None = None,
    ) -> None:
        self.problem = problem
        self.file = Path(file) if file is not None else None
        self.key = key
        self.fix = fix
        self.line = line
        super().__init__(self.format())

    def format(self) -> str:
        where = display_path(self.file)
        if self.line is not None:
            where = f"{where}, line {self.line}" if where else f"line {self.line}"
        parts = [where] if where else []
        if self.key:
            parts.append(self.key)
        parts.append(self.problem)
        text = ": ".join(parts)
        if self.fix:
            text += f" ({self.fix})"
        return text

    def __str__(self) -> str:
        return self.format()
