"""The diff view: one change's header (title, url, municipality, status, tags,
findings) and its paragraph diff, with word-level highlighting inside edited
paragraphs and the analyzers' reasons (and searched words) highlighted.

Everything shown here is scraped text, so it is built as :class:`rich.text.Text`
with ``append``/styles and spans (``stylize``), never as markup; control characters
are stripped before display and very long paragraphs are cut. The pure
``render_*`` functions build the text; :class:`DiffView` only displays it and looks
its styles up in TCSS component classes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from monitor import clock
from monitor.cli.render import reason_terms
from monitor.ingest.diff import coarse_note
from monitor.models import ChangeDetail, ChangeRow, DiffOp, Finding
from monitor.text import one_line, strip_controls


@dataclass(frozen=True)
class DiffStyles:
    """The styles the renderers use; :class:`DiffView` fills them from TCSS."""

    title: Style = Style(bold=True)
    label: Style = Style(dim=True)
    added: Style = Style(color="green")
    removed: Style = Style(color="red")
    changed: Style = Style()
    word_added: Style = Style(color="green", bold=True, underline=True)
    word_removed: Style = Style(color="red", strike=True)
    reason: Style = Style(reverse=True)


MAX_PARAGRAPH = 4000
"""Characters of one paragraph shown; the rest is summarised (a page can hold a
megabyte on one line)."""

def _plain(text: str, limit: int = MAX_PARAGRAPH) -> str:
    """Scraped text as it may reach the terminal: no control characters, cut at ``limit``."""
    text = strip_controls(text)
    if len(text) > limit:
        text = text[:limit] + f" … ({len(text) - limit:,} more characters)"
    return text


def highlight(text: Text, terms: Iterable[str], style: Style) -> Text:
    """Add ``style`` spans over each occurrence of ``terms`` (case-insensitive)."""
    words = [t for t in terms if t and t.strip()]
    if words:
        text.highlight_words(words, style, case_sensitive=False)
    return text


def render_header(row: ChangeRow, styles: DiffStyles | None = None, *,
                  facts: Iterable[tuple[str, str]] = ()) -> Text:
    """Title, url, place, kind, status, tags, facts and findings of ``row``."""
    s = styles or DiffStyles()
    out = Text(no_wrap=False, overflow="fold")
    out.append(one_line(row.title, 500) or "(untitled)", style=s.title)
    out.append("\n")

    def field(label: str, value: str) -> None:
        out.append(f"{label}: ", style=s.label)
        out.append(value)
        out.append("\n")

    field("url", one_line(row.url, 1000))
    place = ", ".join(one_line(p, 100) for p in (row.municipality, row.country, row.lang) if p)
    field("where", place or "—")
    field("kind", f"{one_line(row.kind, 40)}  #{row.id}  {clock.minute(row.detected_at)}")
    field("status", row.status)
    field("tags", ", ".join(one_line(t, 64) for t in row.review.tags) or "—")
    if row.review.note:
        field("note", one_line(row.review.note, 500))
    for name, value in facts:
        field(name, one_line(value, 200))
    for line in render_findings(row.findings):
        out.append("finding: ", style=s.label)
        out.append(line)
        out.append("\n")
    out.rstrip()
    return out


def render_findings(findings: Iterable[Finding]) -> list[str]:
    """One plain line per finding: ``name = value (score) — reasons [plugin]``."""
    lines = []
    for f in findings:
        value = f.value if isinstance(f.value, str) else json.dumps(f.value, ensure_ascii=False)
        line = f"{f.name} = {value}"
        if f.score is not None:
            line += f" ({f.score:.2f})"
        if f.reasons:
            line += " — " + "; ".join(f.reasons)
        if f.plugin:
            line += f" [{f.plugin}]"
        lines.append(one_line(line, 300))
    return lines


def render_ops(ops: Iterable[DiffOp], styles: DiffStyles | None = None) -> Text:
    """The paragraph diff: ``- `` removed (red), ``+ `` added (green), ``~ `` edited
    with its removed and added words highlighted."""
    s = styles or DiffStyles()
    out = Text(no_wrap=False, overflow="fold")
    for i, op in enumerate(ops):
        if i:
            out.append("\n")
        if op.op == "removed":
            out.append("- " + _plain(op.old), style=s.removed)
        elif op.op == "added":
            out.append("+ " + _plain(op.new), style=s.added)
        else:
            out.append("~ ", style=s.changed)
            words = op.words or (("-", op.old), ("+", op.new))
            for tag, run in words:
                style = {"+": s.word_added, "-": s.word_removed}.get(tag, s.changed)
                out.append(_plain(run, MAX_PARAGRAPH // 4), style=style)
    if not out.plain:
        out.append("(no text differences)", style=s.label)
    note = coarse_note(ops)  # a bounded diff says so: nothing is dropped, pairing is coarser
    if note:
        out.append(f"\n(coarse diff: {note})", style=s.label)
    return out


class DiffView(VerticalScroll):
    """Shows one :class:`~monitor.models.ChangeRow`, or a hint when there is none."""

    COMPONENT_CLASSES = {
        "diff-view--title",
        "diff-view--label",
        "diff-view--added",
        "diff-view--removed",
        "diff-view--changed",
        "diff-view--word-added",
        "diff-view--word-removed",
        "diff-view--reason",
    }

    DEFAULT_CSS = """
    DiffView { padding: 0 1; }
    DiffView > #diff-header { padding-bottom: 1; border-bottom: solid $panel; margin-bottom: 1; }
    DiffView .diff-view--title { text-style: bold; }
    DiffView .diff-view--label { color: $text-muted; }
    DiffView .diff-view--added { color: $text-success; }
    DiffView .diff-view--removed { color: $text-error; }
    DiffView .diff-view--word-added { color: $text-success; text-style: bold underline; }
    DiffView .diff-view--word-removed { color: $text-error; text-style: strike; }
    DiffView .diff-view--reason { background: $warning 40%; text-style: bold; }
    """

    can_focus = False

    def __init__(self, *, id: str | None = None, classes: str | None = None,
                 show_facts: bool = True) -> None:
        super().__init__(id=id, classes=classes)
        self.change: ChangeRow | None = None
        """The change shown, or ``None``."""
        self.detail: ChangeDetail | None = None
        """Everything loaded about the change shown."""
        self.show_facts = show_facts
        """List the suggested facts in the header (the change view has its own table)."""
        self.terms: tuple[str, ...] = ()
        """Words highlighted: the analyzers' reasons and the searched words."""
        self.search_terms: tuple[str, ...] = ()
        """The searched words last given to :meth:`show`."""
        self.header_text = Text()
        """The rendered header (plain text is what the curator sees)."""
        self.body_text = Text()
        """The rendered diff."""

    def compose(self) -> ComposeResult:
        yield Static(id="diff-header")
        yield Static(id="diff-body")

    def _styles(self) -> DiffStyles:
        def get(name: str) -> Style:
            return self.get_component_rich_style(f"diff-view--{name}", partial=True)

        return DiffStyles(
            title=get("title"), label=get("label"), added=get("added"), removed=get("removed"),
            changed=get("changed"), word_added=get("word-added"), word_removed=get("word-removed"),
            reason=get("reason"),
        )

    def show(self, detail: ChangeDetail | ChangeRow | None, search_terms: Iterable[str] = ()) -> None:
        """Display a change (or the 'nothing selected' hint) and scroll to the top
        when it is a different one. Reasons and ``search_terms`` are highlighted."""
        row = detail.change if isinstance(detail, ChangeDetail) else detail
        same = row is not None and self.change is not None and self.change.id == row.id
        self.change = row
        self.detail = detail if isinstance(detail, ChangeDetail) else None
        self.search_terms = tuple(search_terms)
        if row is None:
            self.terms = ()
            self.header_text = Text("No change selected.")
            self.body_text = Text()
        else:
            styles = self._styles()
            self.terms = tuple(dict.fromkeys((*reason_terms(row.findings), *search_terms)))
            facts: list[tuple[str, str]] = []
            if self.detail is not None:
                if self.detail.score is not None:
                    facts.append(("score", f"{self.detail.score:.2f}"))
                if self.show_facts:
                    facts += [(f.field + ("*" if f.corrected is not None else ""), f.value or "")
                              for f in self.detail.facts if f.value]
            self.header_text = highlight(render_header(row, styles, facts=facts), self.terms,
                                         styles.reason)
            self.body_text = highlight(render_ops(row.ops, styles), self.terms, styles.reason)
        self.query_one("#diff-header", Static).update(self.header_text)
        self.query_one("#diff-body", Static).update(self.body_text)
        if not same:
            self.scroll_home(animate=False)
