"""Modal dialogs: small screens pushed over another one that answer through
``dismiss`` (confirm, prompt, tag, saved views, record form, record pick) or show
one thing and close (help, one municipality). Full screens live in
``tui/screens/``; a dialog never imports a screen (it opens a change through
``TwinwatchApp.open_change``)."""
