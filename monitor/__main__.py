"""``python -m monitor`` is ``twinwatch``."""

from monitor.cli import main

main()
