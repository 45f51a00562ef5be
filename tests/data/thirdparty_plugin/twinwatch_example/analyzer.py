"""An analyzer that counts the words of a change: proof that a third-party plugin runs."""

from monitor.hookspecs import hookimpl
from monitor.models import Finding


@hookimpl
def analyze_change(change):
    words = len(change.text.split())
    return [Finding("example_words", words, reasons=("counted by twinwatch-example-plugin",))]
