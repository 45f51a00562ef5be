"""What to highlight in a change's text: the terms analyzers gave as their reasons.

Shared by the dashboard's diff view and the CLI's plain-text rendering. Pure: findings
in, words out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from monitor.models import Finding
from monitor.text import one_line

_QUOTED = re.compile(r"[\"“”«»']([^\"“”«»']{2,60})[\"“”«»']")


def reason_terms(findings: Iterable[Finding], limit: int = 40) -> tuple[str, ...]:
    """The words an analyzer gave as reasons, to highlight in the change's text.

    A reason's quoted parts are the terms (``matched "stedenband" twice`` gives
    ``stedenband``); a short unquoted reason is a term as a whole. Longer prose is
    left out: it would not occur in the text.
    """
    terms: list[str] = []
    for f in findings:
        if f.name == "error":
            continue
        for reason in f.reasons:
            reason = one_line(str(reason), 300)
            quoted = _QUOTED.findall(reason)
            if quoted:
                terms.extend(q.strip() for q in quoted)
            elif ": " in reason:  # the built-in analyzers' form: "+5 twinning: stedenband"
                terms.extend(t.strip() for t in reason.rsplit(": ", 1)[1].split(",") if t.strip())
            elif 2 <= len(reason) <= limit and len(reason.split()) <= 4:
                terms.append(reason)
    return tuple(dict.fromkeys(t for t in terms if t))
