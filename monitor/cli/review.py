"""``twinwatch changes``, ``review`` and ``cases …``: reading what changed and the curator's
decisions on it.
"""

from __future__ import annotations

import json

import click

from monitor.cli.context import Context, pass_ctx
from monitor.models import REVIEW_STATUSES


@click.command()
@click.option("--status", type=click.Choice(REVIEW_STATUSES), help="Only changes with this status.")
@click.option("--search", help="Full-text query over title and changed text (FTS5 syntax).")
@click.option("--query", "-q", "query_line", metavar="QUERY",
              help="The dashboard's query line, e.g. 'status:new lang:nl score:0.5.. date:7d \"stedenband\"' "
                   "(see the README's query language). --status replaces its status filter; "
                   "--search must match as well.")
@click.option("--limit", type=int, default=None, help="At most this many changes.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per change, in an array.")
@pass_ctx
def changes(c: Context, status: str | None, search: str | None, query_line: str | None,
            limit: int | None, as_json: bool) -> None:
    """List detected changes, newest first (or by relevance when the query says
    sort:relevance). A change holding several events says "(3 events)": twinwatch
    record drafts a record for each."""
    from dataclasses import replace

    from monitor.cli.render import changes_text
    from monitor.review.inbox import event_counts
    from monitor.review.querylang import parse_query
    from monitor.store.queries import ChangeFilter
    from monitor.store.queries import changes as query

    parsed = parse_query(query_line or "")
    f = parsed.filter
    if status:
        f = replace(f, status=None, statuses=(status,))
    if search:
        f = replace(f, search=f"({f.search}) AND ({search})" if f.search else search)
    if not query_line:
        f = ChangeFilter(status=status, search=search)
    with c.db() as db:
        rows = query(db, f, limit=limit, sort=parsed.sort or "date")
        events = event_counts(db, [r.id for r in rows]) if rows and not as_json else {}
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rows], indent=2, ensure_ascii=False))
    elif rows:
        click.echo(changes_text(rows, events))
    else:
        click.echo("no changes", err=True)


@click.command()
@click.argument("change_id", type=int)
@click.option("--status", type=click.Choice(REVIEW_STATUSES), help="The decision.")
@click.option("--tag", "tags", multiple=True, help="Add a tag (repeatable).")
@click.option("--untag", "untags", multiple=True, help="Remove a tag (repeatable).")
@click.option("--note", help="A note for the record.")
@pass_ctx
def review(c: Context, change_id: int, status: str | None, tags: tuple[str, ...],
           untags: tuple[str, ...], note: str | None) -> None:
    """Record a decision on CHANGE_ID: status, tags, note."""
    from monitor.review.decisions import review as do_review

    if not (status or tags or untags or note is not None):
        raise click.UsageError("give at least one of --status, --tag, --untag, --note")
    with c.db() as db:
        r = do_review(db, change_id, status=status, add_tags=tags, remove_tags=untags, note=note)
    click.echo(f"#{r.change_id} {r.status}" + (f" [{', '.join(r.tags)}]" if r.tags else ""))


@click.group("cases")
def cases_group() -> None:
    """Group changes that report the same event into cases, list and review them."""


@cases_group.command("group")
@pass_ctx
def cases_group_cmd(c: Context) -> None:
    """Put every change not yet grouped into a case (near-duplicate text, or the same
    municipality and partner, within 30 days)."""
    from monitor.review.cases import group

    with c.db() as db:
        click.echo(group(db).line())


@cases_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@pass_ctx
def cases_list(c: Context, as_json: bool) -> None:
    """Cases of two or more changes, newest first, with every source."""
    from dataclasses import asdict

    from monitor.review.cases import cases
    from monitor.text import one_line

    with c.db() as db:
        found = cases(db)
    if as_json:
        click.echo(json.dumps([asdict(k) for k in found], ensure_ascii=False, indent=2))
        return
    for k in found:
        click.echo(f"case {k.id}: {len(k.change_ids)} changes, {k.first_detected[:10]}–"
                   f"{k.last_detected[:10]}, {', '.join(k.municipalities) or '?'}: {one_line(k.title, 70)}")
        for url in k.urls:
            click.echo(f"  {one_line(url, 100)}")


@cases_group.command("review")
@click.argument("case_id", type=int)
@click.option("--status", type=click.Choice(REVIEW_STATUSES), help="The decision, for every change.")
@click.option("--tag", "tags", multiple=True, help="Add a tag to every change (repeatable).")
@click.option("--note", help="A note for every change.")
@pass_ctx
def cases_review(c: Context, case_id: int, status: str | None, tags: tuple[str, ...],
                 note: str | None) -> None:
    """Apply one decision to every change of CASE_ID."""
    from monitor.review.cases import review_case

    if not (status or tags or note is not None):
        raise click.UsageError("give at least one of --status, --tag, --note")
    with c.db() as db:
        done = review_case(db, case_id, status=status, add_tags=tags, note=note)
    click.echo(f"case {case_id}: {len(done)} changes {done[0].status if done else ''}")
