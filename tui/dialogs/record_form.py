"""The record form: a modal with one line per field of a registry record, used to
create a record from a change (pre-filled from the analyzers' findings and the
curator's fact corrections) and to edit one from the records screen.

Each field is checked with ``monitor.records.registry.clean_fields`` when the curator saves;
a bad value is named under the form and its field is marked, and nothing typed is
lost. The form returns the values to write (every field for a new record, only the
changed ones for an edit) through ``dismiss``; the caller writes them through the
app's write queue, where they are checked again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from monitor.errors import ConfigError
from monitor.records.queries import ACTIONS
from monitor.records.registry import clean_fields
from monitor.text import one_line
from tui.widgets.record_text import form_value

FIELDS = (
    ("municipality", "municipality", "the acting municipality"),
    ("country", "country", "two letters: BE"),
    ("partner", "partner", "the partner town, if any"),
    ("partner_country", "partner country", "two letters: IL"),
    ("action", "action type", ""),
    ("date", "date", "YYYY, YYYY-MM or YYYY-MM-DD"),
    ("amount_eur", "amount (€)", "a number: 5000 or 2500,50"),
    ("summary", "summary", "one line saying what happened"),
    ("municipality_qid", "municipality Q-id", "Wikidata item: Q12345"),
    ("partner_qid", "partner Q-id", "Wikidata item: Q12345"),
)
"""(field, label, placeholder) in the order shown."""


class RecordFormScreen(ModalScreen[dict[str, Any] | None]):
    """Create or edit one record."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="record-form.save",
                tooltip="Check every field and save the record (Enter in a field does the same)"),
        Binding("escape", "cancel", "Cancel", id="record-form.cancel",
                tooltip="Close the form without saving"),
    ]

    def __init__(self, title: str, values: Mapping[str, Any], *, context: str = "",
                 only_changes: bool = False) -> None:
        super().__init__()
        self.form_title = title
        """What the form is for (our text)."""
        self.initial = {key: form_value(key, values.get(key)) for key, _, _ in FIELDS}
        """The values the form opened with, as shown."""
        self.context = context
        """What the record rests on (a change title: scraped text, shown plain)."""
        self.only_changes = only_changes
        """Return only the fields that differ from ``initial`` (an edit), else all (a new record)."""
        self.errors: dict[str, str] = {}
        """Field -> what is wrong with it, after the last save attempt."""

    def compose(self) -> ComposeResult:
        with Vertical(id="record-form-dialog"):
            yield Label(Text(self.form_title), id="record-form-title")
            if self.context:
                yield Label(Text(one_line(self.context, 100)), id="record-form-context")
            for key, label, placeholder in FIELDS:
                with Horizontal(classes="record-form-row"):
                    yield Label(Text(label), classes="record-form-label")
                    if key == "action":
                        value = self.initial[key]
                        yield Select([(Text(a), a) for a in ACTIONS], id="record-field-action",
                                     prompt="(none)", allow_blank=True, compact=True,
                                     value=value if value in ACTIONS else Select.NULL)
                    else:
                        yield Input(self.initial[key], placeholder=placeholder, id=f"record-field-{key}",
                                    compact=True, select_on_focus=False)
            yield Static(id="record-form-errors")
            yield Label(Text("Tab moves · Enter or ctrl+s saves · Esc cancels"), id="record-form-hint")

    def on_mount(self) -> None:
        self.query_one("#record-field-municipality", Input).focus()

    def current(self) -> dict[str, str]:
        """What the form holds now, as typed."""
        out: dict[str, str] = {}
        for key, _, _ in FIELDS:
            if key == "action":
                value = self.query_one("#record-field-action", Select).value
                out[key] = value if isinstance(value, str) else ""
            else:
                out[key] = self.query_one(f"#record-field-{key}", Input).value
        return out

    def validate(self) -> dict[str, str]:
        """Check every field; mark the bad ones and say why. Returns the errors."""
        values = self.current()
        errors: dict[str, str] = {}
        for key, raw in values.items():
            try:
                clean_fields({key: raw})
            except ConfigError as exc:
                errors[key] = exc.message
        self.errors = errors
        for key, _, _ in FIELDS:
            self.query_one(f"#record-field-{key}").set_class(key in errors, "-invalid")
        box = self.query_one("#record-form-errors", Static)
        box.update(Text("\n".join(errors.values()), style="bold") if errors else Text(""))
        box.set_class(bool(errors), "-shown")
        return errors

    def action_save(self) -> None:
        errors = self.validate()
        if errors:
            first = next(key for key, _, _ in FIELDS if key in errors)
            self.query_one(f"#record-field-{first}").focus()
            return
        values = self.current()
        if self.only_changes:
            values = {k: v for k, v in values.items() if _cleaned(k, v) != _cleaned(k, self.initial[k])}
        self.dismiss(values)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)


def _cleaned(key: str, value: str) -> Any:
    try:
        return clean_fields({key: value}).get(key)
    except ConfigError:
        return value
