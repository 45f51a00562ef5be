"""``twinwatch record``, ``records`` and ``links``: registry records, their evidence and
twinning timelines.
"""

from __future__ import annotations

import json
from typing import Any

import click

from monitor.cli.context import Context, pass_ctx

RECORD_OPTIONS = [
    click.option("--municipality", help="The acting municipality."),
    click.option("--country", help="Its country (two letters)."),
    click.option("--municipality-qid", help="Its Wikidata item (Q…), for QuickStatements."),
    click.option("--partner", help="The partner town, where there is one."),
    click.option("--partner-country", help="The partner's country (two letters)."),
    click.option("--partner-qid", help="The partner's Wikidata item (Q…)."),
    click.option("--action", help="One of: " + ", ".join(
        ("twinning_established", "twinning_suspended", "twinning_ended", "twinning_debate",
         "council_motion", "humanitarian_aid", "procurement_policy", "symbolic_action",
         "partnership_cooperation", "other_solidarity"))),
    click.option("--date", help="When it was decided or happened: YYYY-MM-DD, YYYY-MM or YYYY."),
    click.option("--amount-eur", help="An amount in euro."),
    click.option("--summary", help="One line saying what happened."),
]


def record_options(fn: Any) -> Any:
    for option in reversed(RECORD_OPTIONS):
        fn = option(fn)
    return fn


@click.command()
@click.argument("change_id", type=int)
@click.option("--new", "new", is_flag=True, help="Add another record for this change.")
@click.option("--record", "record_id", type=int, help="Edit this record of the change.")
@click.option("--link", "link_to", type=int, metavar="RECORD_ID",
              help="Let this change support an existing record instead of a new one.")
@click.option("--event", "event", type=click.IntRange(min=1), metavar="N",
              help="For a change holding several events: record event N (its own facts and "
                   "passage), or correct the record already made of it. Default: 1, the main event.")
@click.option("--all-events", "all_events", is_flag=True,
              help="Record every event of the change not yet recorded (the field options apply "
                   "to each).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the record(s) as JSON; for a change holding several events, an object "
                   "with every event's draft as well.")
@record_options
@pass_ctx
def record(c: Context, /, change_id: int, new: bool, record_id: int | None, link_to: int | None,
           event: int | None, all_events: bool, as_json: bool, **fields: Any) -> None:
    """Create, correct or link the registry record of CHANGE_ID.

    The first call creates a record pre-filled from the analyzers' findings; later
    calls with --field options correct it. An empty value ('') clears a field.
    A change holding several events (an overview listing three municipalities' aid)
    lists them, numbered with their facts; --event N records one, --all-events each.
    """
    from monitor.records import registry as rec
    from monitor.records.drafts import event_drafts
    from monitor.records.queries import RecordFilter, records

    if (event is not None or all_events) and (link_to is not None or record_id is not None):
        raise click.UsageError("--event and --all-events make records of the change's events; "
                               "they do not go with --record or --link")
    if event is not None and all_events:
        raise click.UsageError("give --event N or --all-events, not both")
    values = {k: v for k, v in fields.items() if v is not None}
    events: list[Any] = []
    with c.db() as db:
        if link_to is not None:
            shown = [rec.link(db, link_to, change_id)]
            if values:
                shown = [rec.update(db, link_to, values)]
        else:
            existing = records(db, RecordFilter(change_id=change_id))
            events = event_drafts(db, change_id) if record_id is None else []
            if event is not None and event > len(events):
                raise click.UsageError(
                    f"change {change_id} holds {len(events)} event{'s' if len(events) > 1 else ''}; "
                    f"--event takes 1 to {len(events)}")
            if record_id is not None:
                if record_id not in {r.id for r in existing}:
                    raise click.UsageError(f"record {record_id} is not a record of change {change_id}")
                shown = [rec.update(db, record_id, values)]
            elif all_events:
                shown = [rec.create(db, change_id, values, event=e.number)
                         for e in events if new or e.record_id is None]
                if not shown:
                    click.echo(f"every event of change {change_id} has its record already "
                               "(--new adds them again)", err=True)
            elif event is not None:
                held = events[event - 1].record_id
                shown = ([rec.create(db, change_id, values, event=event)] if new or held is None
                         else [rec.update(db, held, values)])
            elif new or not existing:
                shown = [rec.create(db, change_id, values)]
            elif len(existing) == 1:
                shown = [rec.update(db, existing[0].id, values)]
            elif values:
                raise click.UsageError(f"change {change_id} has {len(existing)} records; "
                                       "say which with --record ID")
            else:
                shown = existing
        if len(events) > 1:  # read again: the records just made are now held
            events = event_drafts(db, change_id)
    if len(events) > 1:
        _print_events(change_id, events, shown, as_json)
        return
    _print_records(shown, as_json)


def _facts(municipality: str | None, country: str | None, action: str | None, partner: str | None,
           partner_country: str | None, date: str | None, amount_eur: float | None) -> str:
    """``Gent (BE) humanitarian_aid with Gaza (PS), 2025-11-12, 5,000.00 EUR``."""
    with_partner = f" with {partner} ({partner_country or '?'})" if partner else ""
    amount = f", {amount_eur:,.2f} EUR" if amount_eur is not None else ""
    return (f"{municipality or '?'} ({country or '?'}) {action or '?'}{with_partner}, "
            f"{date or 'undated'}{amount}")


def _print_events(change_id: int, events: Any, shown: Any, as_json: bool) -> None:
    """A change of several events: each event's draft (numbered, with the record made of
    it; ``*`` marks those of the records shown), then the record(s) as ever."""
    from dataclasses import asdict

    from monitor.text import one_line

    if as_json:
        click.echo(json.dumps({
            "change_id": change_id,
            "events": [{"event": e.number, "record_id": e.record_id, **e.values, "quote": e.quote}
                       for e in events],
            "records": [asdict(r) for r in shown],
        }, ensure_ascii=False, indent=2))
        return
    click.echo(f"change {change_id} holds {len(events)} events "
               "(--event N records one, --all-events each):")
    for e in events:
        v = e.values
        mark = "*" if e.record_id is not None and e.record_id in {r.id for r in shown} else " "
        held = f"  [record {e.record_id}]" if e.record_id is not None else ""
        click.echo(f"{mark}{e.number:>3}. " + one_line(_facts(
            v.get("municipality"), v.get("country"), v.get("action"), v.get("partner"),
            v.get("partner_country"), v.get("date"), v.get("amount_eur")), 150) + held)
        click.echo(f"       “{one_line(e.quote, 100)}”")
    _print_records(shown, as_json)


@click.command("records")
@click.option("--municipality", help="Only records of this municipality (or partner).")
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@pass_ctx
def records_cmd(c: Context, municipality: str | None, as_json: bool) -> None:
    """List registry records with their evidence."""
    from monitor.records.queries import RecordFilter, records

    with c.db() as db:
        _print_records(records(db, RecordFilter(municipality=municipality)), as_json)


def _print_records(rows: Any, as_json: bool) -> None:
    from dataclasses import asdict

    from monitor.text import one_line

    if as_json:
        click.echo(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"record {r.id} v{r.version}: " + _facts(
            r.municipality, r.country, r.action, r.partner, r.partner_country, r.date, r.amount_eur))
        if r.summary:
            click.echo(f"  {one_line(r.summary, 100)}")
        for e in r.evidence:
            click.echo(f"  evidence: change {e.change_id} {one_line(e.url, 80)} "
                       f"fetched {e.fetched_at or '?'}")
            click.echo(f"    “{one_line(e.quote, 100)}”")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@pass_ctx
def links(c: Context, as_json: bool) -> None:
    """List twinning links as timelines built from the records."""
    from dataclasses import asdict

    from monitor.records.queries import twinning_links

    with c.db() as db:
        found = twinning_links(db)
    if as_json:
        click.echo(json.dumps([{**asdict(lk), "state": lk.state, "start": lk.start, "end": lk.end}
                               for lk in found], ensure_ascii=False, indent=2))
        return
    for lk in found:
        steps = " → ".join(f"{e.state} {e.date or '(undated)'}" for e in lk.events)
        click.echo(f"{lk.municipality} ({lk.country or '?'}) – {lk.partner} "
                   f"({lk.partner_country or '?'}): {lk.state}; {steps}")
