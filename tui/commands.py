"""The command palette's twinwatch provider: every binding of the screen the palette
was opened from, and of the app, as a command (with its key), plus the screens.

Nothing is listed twice: the bindings are read from the classes' ``BINDINGS``, so a
new binding appears in the palette (and on the help screen) without more code.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from textual.dom import DOMNode


def bindings_of(node: DOMNode) -> Iterator[Binding]:
    """The Binding objects declared on ``node``'s class and its bases (nearest first)."""
    seen: set[str] = set()
    for cls in type(node).__mro__:
        for b in vars(cls).get("BINDINGS", []):
            if isinstance(b, Binding) and b.id and b.id not in seen and b.description:
                seen.add(b.id)
                yield b


class TwinwatchCommands(Provider):
    """Every action of the current screen and of the app, found by its description."""

    def _commands(self) -> Iterator[tuple[str, str, Any]]:
        app: Any = self.app
        screen = self.screen
        for node in (screen, app):
            for b in bindings_of(node):
                if node is screen and hasattr(screen, "check_action"):
                    name = b.action.split("(", 1)[0]
                    if screen.check_action(name, ()) is False:
                        continue
                keys = app.keys_for(b) if hasattr(app, "keys_for") else b.key
                help_text = f"{b.tooltip or b.description} (key: {keys})"
                yield b.description, help_text, partial(node.run_action, b.action)

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
