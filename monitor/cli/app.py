"""``twinwatch init``, ``backup``, ``tui``, ``demo`` and ``plugins``: setting up and
keeping the database, the dashboard, the bundled demo, and what is installed.
"""

from __future__ import annotations

import json
from typing import Any

import click

from monitor.cli.context import Context, pass_ctx
from monitor.errors import PluginError
from monitor.plugin_manager import describe, exporters, source_kinds
from monitor.store.db import open_db


@click.command()
@pass_ctx
def init(c: Context) -> None:
    """Create the database (or bring it up to date) and print its path."""
    c.db().close()
    click.echo(str(c.db_path))


@click.command()
@click.argument("path", type=click.Path(path_type=str))
@click.option("--force", is_flag=True, help="Replace PATH if it exists (atomically).")
@pass_ctx
def backup(c: Context, path: str, force: bool) -> None:
    """Copy the database to PATH (a file, or an existing folder for a
    twinwatch-YYYYmmdd-HHMMSS.db inside it) while crawls may go on writing; the copy
    is owner-only and passes PRAGMA integrity_check, or the exit code says why not."""
    from monitor.store.backup import backup as do_backup

    done = do_backup(c.db_path, path, force=force)
    click.echo(f"{done.path}  {_size(done.size)}  {done.seconds:.1f} s")


def _size(n: int) -> str:
    """``n`` bytes for a person: ``812 bytes``, ``48.2 MiB``."""
    size = float(n)
    for unit in ("bytes", "KiB", "MiB"):
        if size < 1024:
            return f"{n} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


@click.command()
@pass_ctx
def tui(c: Context) -> None:
    """Open the curator's dashboard."""
    c.db().close()
    if not c.pm.hook.launch_dashboard(db_path=str(c.db_path)):
        raise PluginError("no installed plugin provides the dashboard (is 'tui' installed?)")


@click.command()
@click.option("--no-tui", is_flag=True, help="Print the changes instead of opening the dashboard.")
@click.option("--keep", is_flag=True, help="Keep the demo database of an earlier run.")
@click.pass_context
def demo(ctx: click.Context, no_tui: bool, keep: bool) -> None:
    """Serve a small municipal web on 127.0.0.1, crawl it, change it, crawl again,
    then open the dashboard on what changed. Uses its own database unless --db is given."""
    from monitor.config import demo_db_path
    from monitor.demo import run_demo

    c: Context = ctx.obj
    explicit = ctx.find_root().params.get("db_path") is not None
    db_path = c.db_path if explicit else demo_db_path()
    run_demo(db_path, fresh=not (explicit or keep), echo=lambda s: click.echo(s, err=True),
             kinds=c.kinds())
    if no_tui:
        from monitor.cli.render import changes_text
        from monitor.store.queries import changes as query

        with open_db(db_path) as db:
            click.echo(changes_text(query(db)))
        return
    if not c.pm.hook.launch_dashboard(db_path=str(db_path)):
        raise PluginError("no installed plugin provides the dashboard (is 'tui' installed?)")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@pass_ctx
def plugins(c: Context, as_json: bool) -> None:
    """List loaded plugins, their hooks, export formats, source kinds and load errors."""
    pm = c.pm
    info: dict[str, Any] = {
        "plugins": describe(pm),
        "exporters": sorted(exporters(pm)),
        "kinds": {name: kind.description for name, kind in sorted(source_kinds(pm).items())},
        "errors": [{"name": e.name, "value": e.value, "message": e.message} for e in pm.load_errors],
    }
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    name_w = max((len(p["name"]) for p in info["plugins"]), default=0)
    module_w = max((len(p["module"]) for p in info["plugins"]), default=0)
    for p in info["plugins"]:
        click.echo(f"{p['name']:<{name_w}}  {p['module']:<{module_w}}  {', '.join(p['hooks'])}")
    click.echo(f"export formats: {', '.join(info['exporters'])}")
    click.echo(f"source kinds: {', '.join(info['kinds'])}")
    for e in info["errors"]:
        click.echo(f"error: {e['name']} ({e['value']}): {e['message']}")
