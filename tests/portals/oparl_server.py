"""A loopback OParl 1.1 (or 1.0) server built from the public specification, with a
generator of realistic volumes: several bodies, thousands of papers, pages of 100.

Where the shapes come from: the OParl specification, https://github.com/OParl/spec,
commit 0ca34358433b781faf1e006abdeb3653e4401d95 (2020-07-14), licence CC BY-SA 4.0
(the repository's LICENSE): ``examples/System-01.json``, ``Body-01.json``,
``Paper-01.json``, ``Meeting-01.json``, ``File-01.json`` for the objects and their
fields; ``schema/*.json`` for which fields exist (``AgendaItem``: ``number``,
``name``, ``result``, ``resolutionText``, ``resolutionFile``; ``Body``: ``shortName``,
``ags``, ``paper``, ``meeting``, ``agendaItem`` lists); ``src/2-05-objektlisten-und-
paginierung.md`` for list pages (``data``, ``pagination``, ``links.next``, required
on every page but the last), the filters (``modified_since``, kept in every
``links`` URL) and the update mechanism (with ``modified_since``, deleted objects are
listed too; without it they must not be); ``src/2-08-geloeschte-objekte.md`` for
deleted objects (``deleted: true``, ``modified`` = time of deletion, only ``id``,
``type`` and ``created`` kept, HTTP 200). Nothing is copied from the specification's
text; the generated names and texts are our own.

A File's ``accessUrl`` answers 404 unless a test gave it bytes (``add_paper(...,
pdf=...)``, the paper's ``mainFile`` then without ``text``, as a server that extracts
no text serves it: ``text`` is optional in ``schema/File.json``).

The server counts requests (``requests``), can shift its clock (``skew``: its
``Date`` header and the ``modified`` time of edits), and can misbehave on a list
(``misbehave[path] = "loop" | "huge" | "html" | "empty"``). It stops with the test,
and by itself after ``lifetime`` seconds at the latest.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode

from tests.portals.loopback import LoopbackPortal

SCHEMA = "https://schema.oparl.org/1.1/"
PAGE = 100

TOWNS = [
    ("Köln", "Stadt Köln, kreisfreie Stadt", "05315000"),
    ("Bonn", "Bundesstadt Bonn", "05314000"),
    ("Düren", "Stadt Düren", "05358008"),
    ("Aachen", "Stadt Aachen", "05334002"),
    ("Münster", "Stadt Münster", "05515000"),
    ("Freiburg im Breisgau", "Stadt Freiburg im Breisgau", "08311000"),
    ("Jena", "Stadt Jena", "16053000"),
    ("Kiel", "Landeshauptstadt Kiel", "01002000"),
]
PARTNERS = ["Rotterdam", "Lille", "Kraków", "Bethlehem", "Nazareth", "Tel Aviv", "Kyiv", "Lviv", "Turku"]
TOPICS = [
    "Sanierung der Grundschule am Markt",
    "Haushaltssatzung 2025",
    "Radverkehrskonzept Innenstadt",
    "Bebauungsplan Nr. 412 Gewerbegebiet Nord",
    "Wirtschaftsplan der Stadtwerke",
    "Zuschuss für den Sportverein",
    "Straßenbeleuchtung LED-Umrüstung",
    "Kita-Bedarfsplanung",
]
TYPES = ["Antrag", "Beschlussvorlage", "Anfrage", "Mitteilung"]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Body:
    index: int
    short: str
    name: str
    ags: str
    papers: list[dict[str, Any]] = field(default_factory=list)
    meetings: list[dict[str, Any]] = field(default_factory=list)
    agenda: list[dict[str, Any]] = field(default_factory=list)


class OParlServer(LoopbackPortal):
    """An OParl System on 127.0.0.1 serving generated bodies, papers, meetings and agenda items."""

    def __init__(
        self,
        *,
        bodies: int = 3,
        papers: int = 250,
        meetings: int = 10,
        items: int = 4,
        version: str = "1.1",
        old: int = 20,
        seed: int = 16,
        lifetime: float = 300,
    ) -> None:
        self.version = version
        super().__init__(lifetime)
        self.skew = timedelta(0)
        self.misbehave: dict[str, str] = {}
        self.bodies: list[Body] = []
        self.files: dict[str, bytes] = {}
        """Bytes of the files served, by path (``/oparl/file/0-7.pdf``)."""
        self.base = f"http://127.0.0.1:{self.port}/oparl"
        self._generate(bodies, papers, meetings, items, old, random.Random(seed))

    # -- data ---------------------------------------------------------------

    def now(self) -> datetime:
        return datetime.now(UTC) + self.skew

    def _generate(
        self, bodies: int, papers: int, meetings: int, items: int, old: int, rnd: random.Random
    ) -> None:
        now = datetime.now(UTC)
        for b in range(bodies):
            short, name, ags = TOWNS[b % len(TOWNS)]
            if b >= len(TOWNS):
                short, name = f"{short} {b}", f"{name} {b}"
            body = Body(b, short, name, ags)
            for p in range(papers):
                # most within the last year, a few (``old``) older: a first sync leaves those out
                age = timedelta(days=400 + p) if p < old else timedelta(days=rnd.uniform(1, 330))
                modified = now - age
                body.papers.append(self._paper(body, p, modified, rnd))
            for m in range(meetings):
                start = now - timedelta(days=rnd.uniform(2, 300))
                mid = f"{self.base}/meeting/{b}-{m}"
                agenda = []
                for i in range(items):
                    agenda.append(
                        {
                            "id": f"{self.base}/agendaitem/{b}-{m}-{i}",
                            "type": SCHEMA + "AgendaItem",
                            "meeting": mid,
                            "number": f"{i + 1}",
                            "order": i + 1,
                            "name": rnd.choice(TOPICS),
                            "public": True,
                            "result": "beschlossen",
                            "resolutionText": f"Der Rat der {name} beschließt die Vorlage.",
                            "start": iso(start),
                            "created": iso(start - timedelta(days=7)),
                            "modified": iso(start + timedelta(hours=4)),
                            "web": f"http://127.0.0.1:{self.port}/ris/to/{b}-{m}-{i}",
                        }
                    )
                body.agenda.extend(agenda)
                body.meetings.append(
                    {
                        "id": mid,
                        "type": SCHEMA + "Meeting",
                        "name": f"{m + 1}. Sitzung des Rates",
                        "start": iso(start),
                        "end": iso(start + timedelta(hours=4)),
                        "location": {
                            "id": f"{self.base}/location/{b}",
                            "type": SCHEMA + "Location",
                            "description": f"Rathaus, Ratssaal, {short}",
                        },
                        "agendaItem": agenda,
                        "created": iso(start - timedelta(days=7)),
                        "modified": iso(start + timedelta(hours=4)),
                        "web": f"http://127.0.0.1:{self.port}/ris/si/{b}-{m}",
                    }
                )
            self.bodies.append(body)

    def _paper(self, body: Body, p: int, modified: datetime, rnd: random.Random) -> dict[str, Any]:
        topic = rnd.choice(TOPICS)
        kind = rnd.choice(TYPES)
        pid = f"{self.base}/paper/{body.index}-{p}"
        text = (
            f"{kind} zur Sitzung des Rates der {body.name}. Betreff: {topic}. "
            f"Die Verwaltung wird beauftragt, die Umsetzung bis zum Jahresende vorzubereiten."
        )
        return {
            "id": pid,
            "type": SCHEMA + "Paper",
            "body": f"{self.base}/body/{body.index}",
            "name": f"{topic} ({kind})",
            "reference": f"{p:04d}/2025",
            "date": iso(modified)[:10],
            "paperType": kind,
            "mainFile": {
                "id": f"{self.base}/file/{body.index}-{p}",
                "type": SCHEMA + "File",
                "name": "Vorlage",
                "fileName": f"vorlage_{p}.pdf",
                "mimeType": "application/pdf",
                "accessUrl": f"{self.base}/file/{body.index}-{p}.pdf",
                "text": text,
                "created": iso(modified),
                "modified": iso(modified),
            },
            "created": iso(modified),
            "modified": iso(modified),
            "web": f"http://127.0.0.1:{self.port}/ris/vo/{body.index}-{p}",
        }

    def paper(self, body: int, p: int) -> dict[str, Any]:
        return self.bodies[body].papers[p]

    def edit_paper(
        self, body: int, p: int, modified: datetime | None = None, **fields: Any
    ) -> dict[str, Any]:
        """Change a paper; its ``modified`` is the server's now (or the time given)."""
        with self.lock:
            paper = self.bodies[body].papers[p]
            paper.update(fields)
            paper["modified"] = iso(modified or self.now())
            return paper

    def add_paper(
        self,
        body: int,
        name: str,
        text: str,
        modified: datetime | None = None,
        pdf: bytes | None = None,
    ) -> dict[str, Any]:
        """A new paper; with ``pdf`` its main file has no ``text`` and serves these bytes."""
        with self.lock:
            b = self.bodies[body]
            paper = self._paper(b, len(b.papers), modified or self.now(), random.Random(len(b.papers)))
            paper["name"] = name
            paper["mainFile"]["text"] = text
            if pdf is not None:
                del paper["mainFile"]["text"]
                self.files[paper["mainFile"]["accessUrl"].split(str(self.port), 1)[1]] = pdf
            b.papers.append(paper)
            return paper

    def delete_paper(self, body: int, p: int) -> dict[str, Any]:
        """Soft delete (spec 2.08): only id, type, created are kept; modified is now."""
        with self.lock:
            old = self.bodies[body].papers[p]
            self.bodies[body].papers[p] = {
                "id": old["id"],
                "type": old["type"],
                "created": old["created"],
                "deleted": True,
                "modified": iso(self.now()),
            }
            return self.bodies[body].papers[p]

    # -- HTTP ---------------------------------------------------------------

    @property
    def url(self) -> str:
        """The System's URL: what ``sources add --kind oparl`` takes."""
        return f"{self.base}/system"

    def count(self, prefix: str = "/oparl") -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.startswith(prefix))

    def _system(self) -> dict[str, Any]:
        return {
            "id": self.url,
            "type": SCHEMA + "System",
            "oparlVersion": f"https://schema.oparl.org/{self.version}/",
            "body": f"{self.base}/bodies",
            "name": "Loopback-RIS",
            "created": "2015-01-01T00:00:00+01:00",
            "modified": "2015-01-01T00:00:00+01:00",
        }

    def _body(self, b: Body) -> dict[str, Any]:
        out = {
            "id": f"{self.base}/body/{b.index}",
            "type": SCHEMA + "Body",
            "system": self.url,
            "shortName": b.short,
            "name": b.name,
            "ags": b.ags,
            "organization": f"{self.base}/body/{b.index}/organizations",
            "person": f"{self.base}/body/{b.index}/persons",
            "meeting": f"{self.base}/body/{b.index}/meetings",
            "paper": f"{self.base}/body/{b.index}/papers",
            "legislativeTerm": [],
            "created": "2015-01-01T00:00:00+01:00",
            "modified": "2015-01-01T00:00:00+01:00",
        }
        if self.version != "1.0":
            out["agendaItem"] = f"{self.base}/body/{b.index}/agendaItems"
        return out

    def _list(
        self, path: str, objects: list[dict[str, Any]], query: dict[str, list[str]]
    ) -> dict[str, Any]:
        since = query.get("modified_since", [None])[0]
        if since:
            limit = parse(since)
            objects = [o for o in objects if parse(o["modified"]) >= limit]
        else:  # without the filter, deleted objects must not be listed (spec 2.05)
            objects = [o for o in objects if not o.get("deleted")]
        page = int(query.get("page", ["1"])[0])
        total = max(1, -(-len(objects) // PAGE))
        keep = {k: v[0] for k, v in query.items() if k != "page"}
        links: dict[str, str] = {
            "first": f"http://127.0.0.1:{self.port}{path}?{urlencode(keep)}".rstrip("?")
        }
        if page < total:
            links["next"] = f"http://127.0.0.1:{self.port}{path}?{urlencode({**keep, 'page': page + 1})}"
        return {
            "data": objects[(page - 1) * PAGE : page * PAGE],
            "pagination": {
                "totalElements": len(objects),
                "elementsPerPage": PAGE,
                "currentPage": page,
                "totalPages": total,
            },
            "links": links,
        }

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        mode = self.misbehave.get(path)
        if mode == "html":
            return (
                200,
                "text/html",
                b"<html><body><h1>Wartungsarbeiten</h1>Bitte sp\xc3\xa4ter.</body></html>",
            )
        if mode == "huge":
            data = [{"id": f"{self.base}/paper/x-{i}", "type": SCHEMA + "Paper"} for i in range(100_000)]
            return 200, "application/json", json.dumps({"data": data, "links": {}}).encode()
        if mode == "empty":
            return 200, "application/json", json.dumps({"data": [], "links": {}}).encode()
        if path.startswith("/oparl/file/"):
            with self.lock:
                body = self.files.get(path)
            if body is None:
                return 404, "text/html", b"<html><body>Datei nicht gefunden</body></html>"
            return 200, "application/pdf", body
        if path == "/oparl/system":
            return 200, "application/json", json.dumps(self._system()).encode()
        if path == "/oparl/bodies":
            bodies = [self._body(b) for b in self.bodies]
            return 200, "application/json", json.dumps(self._list(path, bodies, query)).encode()
        parts = path.strip("/").split("/")
        if (
            len(parts) == 4
            and parts[:2] == ["oparl", "body"]
            and parts[2].isdigit()
            and int(parts[2]) < len(self.bodies)
        ):
            b = self.bodies[int(parts[2])]
            lists = {"papers": b.papers, "meetings": b.meetings, "organizations": [], "persons": []}
            if self.version != "1.0":
                lists["agendaItems"] = b.agenda
            if parts[3] in lists:
                with self.lock:
                    page = self._list(path, list(lists[parts[3]]), query)
                if mode == "loop" and "next" not in page["links"]:
                    page["links"]["next"] = page["links"]["first"]  # the last page links back to the first
                return 200, "application/json", json.dumps(page, ensure_ascii=False).encode()
        return 404, "application/json", b'{"error": "not found"}'

    def respond(self, path: str, query: str) -> tuple[int, str, bytes]:
        return self.answer(path, parse_qs(query))
