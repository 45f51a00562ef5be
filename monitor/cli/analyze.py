"""``twinwatch analyze`` (run the analyzers on text given directly) and ``twinwatch model
train`` (learn relevance from the curator's verdicts).
"""

from __future__ import annotations

import json
from typing import Any

import click

from monitor.cli.context import Context, pass_ctx


@click.command()
@click.argument("file", type=click.File("r", encoding="utf-8", errors="replace"), default="-")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input line, in order.")
@click.option("--whole", is_flag=True, help="Plain text: the whole input is one text (default: one a line).")
@pass_ctx
def analyze(c: Context, file: Any, as_json: bool, whole: bool) -> None:
    """Run the analyzers on text without crawling.

    FILE (or - for standard input, the default) is plain text, one text a line, or
    JSON Lines with "text" and optional "title", "lang", "url", "municipality",
    "country". With --json, each result has relevant, score, reasons, category,
    lang, municipality, country, partner, partner_country, date, amount_eur. The
    curator's model (see 'model train') is blended in when the database has one.
    """
    from monitor.analyze.learn import load
    from monitor.analyze.service import analyze_text, read_inputs
    from monitor.models import AnalysisContext

    context = AnalysisContext(model=load(c.db_path))
    for item in read_inputs(file, whole=whole):
        result = analyze_text(c.pm, item, context)
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        else:
            from monitor.cli.render import analysis_line

            click.echo(analysis_line(result, item.title or item.text))


@click.group()
def model() -> None:
    """Learn relevance from the curator's verdicts."""


@model.command("train")
@pass_ctx
def model_train(c: Context) -> None:
    """Train the relevance model on changes reviewed relevant or irrelevant, print its
    cross-validated precision and recall, and save it beside the database. From then
    on crawls and 'analyze' blend it with the vocabulary score."""
    from monitor.analyze.learn import train

    with c.db() as db:
        report = train(db, c.db_path)
    for line in report.lines():
        click.echo(line)
