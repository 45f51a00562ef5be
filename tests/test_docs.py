"""Documentation kept honest: every hook and every CLI command is documented."""

from __future__ import annotations

import inspect
from pathlib import Path

import click
import pytest

from monitor import hookspecs
from monitor.cli import cli

ROOT = Path(__file__).resolve().parent.parent
HOOKS = sorted(n for n, f in vars(hookspecs).items()
               if inspect.isfunction(f) and hasattr(f, "twinwatch_spec"))


def test_there_are_hooks():
    """The spec module exposes the hooks the design names."""
    assert {"extract_text", "analyze_change", "register_exporters", "crawl_sources",
            "launch_dashboard"} <= set(HOOKS)


@pytest.mark.parametrize("name", HOOKS)
def test_hook_documented_with_exact_signature(name):
    """docs/plugins.md shows each hook with the signature in monitor/hookspecs.py."""
    fn = getattr(hookspecs, name)
    sig = inspect.signature(fn)
    text = f"{name}{sig}".replace("'", "")
    assert text in (ROOT / "docs" / "plugins.md").read_text(), text
    assert fn.__doc__ and len(fn.__doc__) > 80


def _commands(group: click.Group, prefix: str = ""):
    for name, cmd in group.commands.items():
        full = f"{prefix}{name}"
        yield full, cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, full + " ")


@pytest.mark.parametrize("name,cmd", list(_commands(cli)), ids=lambda v: v if isinstance(v, str) else "")
def test_command_has_help_and_is_in_readme(name, cmd):
    """Every command has help text and appears in the README's command reference."""
    assert cmd.help and len(cmd.help) > 20
    assert f"twinwatch {name}" in (ROOT / "README.md").read_text()


def export_columns_markdown() -> str:
    """The Columns section of docs/exports.md, from the tables' definitions."""
    from monitor.export.tables import TABLES

    out = ["## Columns", "", "New columns are only ever appended.", ""]
    for name, (title, columns) in TABLES.items():
        out += [f"### `{name}`: {title}", "", "| # | column | type | meaning |", "|---|---|---|---|"]
        for i, c in enumerate(columns, 1):
            kind = c.type + (f" (joined by `{c.sep!r}`)" if c.type == "array" else "")
            out.append(f"| {i} | `{c.name}` | {kind} | {c.description} |")
        out.append("")
    return "\n".join(out)


def test_every_export_column_documented():
    """docs/exports.md's Columns section matches the tables (TWINWATCH_REGEN_DOCS=1 rewrites it)."""
    import os

    path = ROOT / "docs" / "exports.md"
    text = path.read_text()
    head, _, _ = text.partition("## Columns")
    if os.environ.get("TWINWATCH_REGEN_DOCS"):
        path.write_text(head + export_columns_markdown())
        text = path.read_text()
    assert text == head + export_columns_markdown(), "run TWINWATCH_REGEN_DOCS=1 pytest tests/test_docs.py"


def test_readme_config_example_loads_and_names_real_bindings(tmp_path):
    """The README's config.toml example parses, and each keymap id is a real binding id."""
    import re

    from monitor.config import load_ui_config
    from tui.app import screens

    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```toml\n(\[tui\].*?)```", readme, re.S)
    assert block, "README has a [tui] config example"
    path = tmp_path / "config.toml"
    path.write_text(block.group(1))
    config = load_ui_config(path)
    assert config.theme and config.keymap
    ids = {b.id for _, cls in screens() for b in cls.BINDINGS}
    assert set(config.keymap) <= ids


def test_readme_names_every_query_filter():
    """Every filter the query line knows is documented in the README."""
    from monitor.review.querylang import KEYS

    readme = (ROOT / "README.md").read_text()
    assert [k for k in KEYS if f"`{k}`" not in readme] == []
