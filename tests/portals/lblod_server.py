"""A loopback Lokaal Beslist (besluitendatabank) JSON:API, built from the public
application's configuration, with generated Flemish municipalities, sessions, agenda
items and decisions.

Where the shapes come from: github.com/lblod/app-burgernabije-besluitendatabank,
commit 5c892033c3822655a5653c0a917d5a00a18b095c (2026-03-27), licence MIT (the
repository's LICENSE): ``config/resources/besluit-domain-en.lisp`` for the resources,
their paths and attribute names (``agenda-items``: ``title``, ``description``,
``public``, relations ``sessions`` and ``handled-by``; ``agenda-item-handlings``:
``resolutions``; ``resolutions`` (``besluit:Besluit``): ``title``, ``description``,
``motivation``, ``publication-date``; ``sessions`` (``besluit:Zitting``):
``planned-start``, ``started-at``, ``governing-body``; ``governing-bodies``: ``name``,
``administrative-unit``, ``is-time-specialization-of``; ``administrative-units``
(``besluit:Bestuurseenheid``): ``name``; the ``include-uri`` feature: a ``uri``
attribute); ``config/resources/domain.lisp`` (``meta.count`` in paged answers);
``config/dispatcher/dispatcher.ex`` for the routes. The query forms (``include``,
``page[size]``/``page[number]`` from 0, ``filter[<path>][:gte:<attribute>]``,
``filter[:or:][sessions][governing-body][is-time-specialization-of][administrative-unit]...``)
are those of the public front end, github.com/lblod/frontend-burgernabije-besluitendatabank
commit af499e5c8890ef32d0832d0f4612effd1733b5cc (MIT; ``app/routes/agenda-items/
agenda-item.ts``, ``app/routes/sessions/session.ts``, ``app/services/mu-search.ts``), and
the JSON:API document (``data``, ``included``, ``relationships.*.data``, host-relative
``links.first/last/next``) that of mu-cl-resources, which serves them. Nothing is copied;
the generated names and texts are our own.

As in SPARQL over ISO literals, date filters compare the stored text: a session whose
``planned-start`` is not a date (``"onbekend"``) passes a ``:gte:`` filter.

Deletions (``delete``, ``restore``): Lokaal Beslist's JSON:API keeps no trace of a
removed resource. The harvester's delta files remove an agenda item's triples (or turn
its subject into an ``as:Tombstone`` with ``as:formerType``, the convention of LBLOD's
own services, whose LPDC instance store also turns a tombstone back into the resource
when it is published again), and the app applies a delta's deletes as ``DELETE DATA``
(``config/consumer/besluiten/delta-sync-dispatching.js`` at the commit above); once its
``besluit:Agendapunt`` type is gone, mu-cl-resources lists it under no filter and a GET
of ``/agenda-items/{id}`` answers 404 with ``{"data": null}``
(github.com/mu-semtech/mu-cl-resources commit d083c3e41dc95e154d337661d412b179fecf226f,
no licence file in the repository: read for its documented behaviour only;
``framework/call-specification.lisp``:
``no-such-instance`` -> ``respond-not-found``, ``framework/request-parsing.lisp``). A
deleted item here is tombstoned the same way: absent from every answer until restored.
The ``filter[:id:]=id1,id2`` form (mu-cl-resources' README, "Filtering on exact
relationships": a comma-separated list of ids) lists those of the given items that
still exist.

Search (``/search/agenda-items/search``): the app's dispatcher forwards ``/search/*`` to
mu-search (``config/dispatcher/dispatcher.ex``), whose ``agenda-items`` index
(``config/search/config.json``: ``title``, ``description``, ``resolution_title`` and
``resolution_description`` copied into ``search_content``; ``session_planned_start``;
``governing_body_location_name`` and ``abstract_governing_body_location_name``, the
municipality, directly or through the body's legislature) is asked as the front end
asks it (``app/services/mu-search.ts``, ``app/utils/search/agenda-items-query.ts``:
``filter[<flag><field>]``, ``sort[<field>.field]=asc``, ``page[size]``/``page[number]``
from 0). The filter flags and the answer are mu-search's
(github.com/mu-semtech/mu-search commit d1f5b90211b4aeb7a4028832f9f5eefe656cba0d, MIT;
``README.md`` "Supported search methods": ``:sqs:`` a ``simple_query_string``, ``:gte:``
a range, ``:phrase:`` over several fields; ``lib/mu_search/json_api.rb``: ``count``,
``data`` of ``{type, id: uuid, attributes: _source + uri, highlight}`` and ``links``
built from mu-search's own path, ``next`` never past the last page, so a client pages
by ``count``). The text match is :func:`~tests.portals.loopback.simple_query_matches`,
without the index's Dutch stemmer.

The server counts requests (``requests``) and can misbehave on the agenda items
(``misbehave = "loop" | "html" | "malformed" | "empty"``). It stops with the test, and
by itself after ``lifetime`` seconds at the latest.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from tests.portals.loopback import LoopbackPortal, simple_query_matches

PREFIX = "/api"
UNITS = ["Gent", "Antwerpen", "Leuven", "Brugge", "Mechelen", "Kortrijk", "Hasselt", "Aalst"]
TOPICS = [
    "Goedkeuring van het budget 2025",
    "Aanleg van een fietspad langs de Leie",
    "Subsidiereglement voor jeugdverenigingen",
    "Vaststelling van de rooilijn Kerkstraat",
    "Samenwerkingsovereenkomst met de politiezone",
    "Renovatie van de sporthal",
    "Retributiereglement op het parkeren",
    "Aankoop van elektrische dienstvoertuigen",
]
BASE_URI = "http://data.lblod.info/id/"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class LblodServer(LoopbackPortal):
    """Lokaal Beslist's agenda-items JSON:API on 127.0.0.1."""

    def __init__(self, *, units: int = 3, sessions: int = 6, items: int = 8, old: int = 1,
                 seed: int = 16, lifetime: float = 300) -> None:
        super().__init__(lifetime)
        self.misbehave: str | None = None
        self.rnd = random.Random(seed)
        self.res: dict[tuple[str, str], dict[str, Any]] = {}
        """Every resource by (type, id), JSON:API shaped."""
        self.items: list[str] = []
        """Agenda item ids, in order of creation."""
        self.units: list[str] = []
        self.tombstones: set[str] = set()
        """Ids of the agenda items deleted (tombstoned): listed under no filter."""
        self._generate(units, sessions, items, old)

    @property
    def url(self) -> str:
        """The JSON:API base: what ``sources add --kind lblod`` takes."""
        return f"http://127.0.0.1:{self.port}{PREFIX}"

    # -- data ---------------------------------------------------------------

    def _id(self) -> str:
        return str(uuid.UUID(int=self.rnd.getrandbits(128)))

    def _add(self, kind: str, uri_path: str, attributes: dict[str, Any],
             relationships: dict[str, Any] | None = None) -> dict[str, Any]:
        rid = self._id()
        resource = {"type": kind, "id": rid,
                    "attributes": {"uri": f"{BASE_URI}{uri_path}/{rid}", **attributes},
                    "relationships": {k: {"data": v} for k, v in (relationships or {}).items()}}
        self.res[(kind, rid)] = resource
        return resource

    @staticmethod
    def ref(resource: dict[str, Any]) -> dict[str, str]:
        return {"type": resource["type"], "id": resource["id"]}

    def _generate(self, units: int, sessions: int, items: int, old: int) -> None:
        now = datetime.now(UTC)
        for u in range(units):
            name = UNITS[u % len(UNITS)] + ("" if u < len(UNITS) else f" {u}")
            self.units.append(name)
            unit = self._add("administrative-units", "bestuurseenheden", {"name": name})
            council = self._add("governing-bodies", "bestuursorganen", {"name": f"Gemeenteraad {name}"},
                                {"administrative-unit": self.ref(unit)})
            body = council
            if u % 2 == 0:  # a legislature of the council: the unit is found through its parent
                body = self._add("governing-bodies", "bestuursorganen",
                                 {"name": f"Gemeenteraad {name}", "start-date": "2025-01-01"},
                                 {"is-time-specialization-of": self.ref(council)})
            for s in range(sessions):
                age = timedelta(days=400 + 30 * s) if s < old else timedelta(days=self.rnd.uniform(10, 330))
                session = self.add_session(u, now - age, body=body)
                for _ in range(items):
                    self.add_item(session, self.rnd.choice(TOPICS),
                                  f"De gemeenteraad van {name} keurt het voorstel goed.",
                                  "Gelet op het decreet over het lokaal bestuur.")

    def add_session(self, unit: int, start: datetime, *,
                    body: dict[str, Any] | None = None) -> dict[str, Any]:
        if body is None:
            body = next(r for r in self.res.values() if r["type"] == "governing-bodies"
                        and r["attributes"]["name"] == f"Gemeenteraad {self.units[unit]}")
        return self._add("sessions", "zittingen", {"planned-start": iso(start), "started-at": iso(start)},
                         {"governing-body": self.ref(body), "agenda-items": []})

    def add_item(self, session: dict[str, Any] | None, title: str, description: str, motivation: str,
                 *, published: str | None = None) -> dict[str, Any]:
        """An agenda item with its handling and decision; published a week after its session."""
        with self.lock:
            when = session["attributes"]["planned-start"][:10] if session else None
            if published is None and when and when[:4].isdigit():
                published = min(datetime.fromisoformat(when) + timedelta(days=7),
                                 datetime.now(UTC).replace(tzinfo=None)).date().isoformat()
            resolution = self._add("resolutions", "besluiten", {
                "title": f"Besluit: {title}", "description": description, "motivation": motivation,
                "publication-date": published})
            handling = self._add("agenda-item-handlings", "behandelingen-van-agendapunt", {"public": True},
                                 {"resolutions": [self.ref(resolution)]})
            item = self._add("agenda-items", "agendapunten",
                             {"title": title, "description": description, "public": True},
                             {"sessions": [self.ref(session)] if session else [],
                              "handled-by": self.ref(handling)})
            if session:
                session["relationships"]["agenda-items"]["data"].append(self.ref(item))
            self.items.append(item["id"])
            return item

    def item(self, index: int) -> dict[str, Any]:
        return self.res[("agenda-items", self.items[index])]

    def resolution(self, item: dict[str, Any]) -> dict[str, Any]:
        handling = self.res[("agenda-item-handlings", item["relationships"]["handled-by"]["data"]["id"])]
        return self.res[("resolutions", handling["relationships"]["resolutions"]["data"][0]["id"])]

    def republish(self, index: int, **attributes: Any) -> dict[str, Any]:
        """Edit an item's decision and publish it again today."""
        with self.lock:
            resolution = self.resolution(self.item(index))
            today = datetime.now(UTC).date().isoformat()
            resolution["attributes"].update(attributes, **{"publication-date": today})
            return resolution

    def delete(self, index: int) -> dict[str, Any]:
        """Withdraw an agenda item: from now on no answer lists it (see the module docstring)."""
        with self.lock:
            item = self.item(index)
            self.tombstones.add(item["id"])
            return item

    def restore(self, index: int) -> dict[str, Any]:
        """Publish a deleted agenda item again, as it was."""
        with self.lock:
            item = self.item(index)
            self.tombstones.discard(item["id"])
            return item

    def municipality(self, item: dict[str, Any]) -> str | None:
        for session in self._rel(item, "sessions"):
            for body in self._rel(session, "governing-body"):
                for b in [body, *self._rel(body, "is-time-specialization-of")]:
                    for unit in self._rel(b, "administrative-unit"):
                        return str(unit["attributes"]["name"])
        return None

    def _rel(self, resource: dict[str, Any], name: str) -> list[dict[str, Any]]:
        data = resource.get("relationships", {}).get(name, {}).get("data")
        refs = data if isinstance(data, list) else [data] if data else []
        return [self.res[(r["type"], r["id"])] for r in refs if (r["type"], r["id"]) in self.res]

    # -- HTTP ---------------------------------------------------------------

    def count(self) -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.startswith(PREFIX))

    def _matches(self, item: dict[str, Any], query: list[tuple[str, str]]) -> bool:
        if item["id"] in self.tombstones:
            return False
        names = [v.casefold() for k, v in query if k.startswith("filter[:or:]") and k.endswith("[name]")]
        if names and not any(n in (self.municipality(item) or "").casefold() for n in names):
            return False  # mu-cl-resources' plain filter: the name contains the value
        for k, v in query:
            if k == "filter[:id:]":
                if item["id"] not in v.split(","):
                    return False
            elif k == "filter[sessions][:gte:planned-start]":
                if not any(str(s["attributes"].get("planned-start") or "") >= v.replace("+00:00", "Z")
                           for s in self._rel(item, "sessions")):
                    return False
            elif k == "filter[handled-by][resolutions][:gte:publication-date]":
                if not any(str(r["attributes"].get("publication-date") or "") >= v
                           for h in self._rel(item, "handled-by") for r in self._rel(h, "resolutions")):
                    return False
        return True

    def _include(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen: dict[tuple[str, str], dict[str, Any]] = {}
        paths = [["sessions", "governing-body", "administrative-unit"],
                 ["sessions", "governing-body", "is-time-specialization-of", "administrative-unit"],
                 ["handled-by", "resolutions"]]
        for item in items:
            for path in paths:
                level = [item]
                for name in path:
                    level = [r for res in level for r in self._rel(res, name)]
                    for r in level:
                        seen[(r["type"], r["id"])] = r
        return list(seen.values())

    def agenda_items(self, query: list[tuple[str, str]]) -> dict[str, Any]:
        with self.lock:
            found = sorted((self.res[("agenda-items", i)] for i in self.items
                            if self._matches(self.res[("agenda-items", i)], query)), key=lambda r: r["id"])
            params = dict(query)
            size = int(params.get("page[size]", "20"))
            number = int(params.get("page[number]", "0"))
            last = max(0, -(-len(found) // size) - 1)
            page = found[number * size:(number + 1) * size]
            keep = [(k, v) for k, v in query if not k.startswith("page[")]

            def link(n: int) -> str:
                paging = [("page[number]", str(n)), ("page[size]", str(size))]
                return f"{PREFIX}/agenda-items?{urlencode([*keep, *paging])}"

            links = {"first": link(0), "last": link(last)}
            if number < last:
                links["next"] = link(number + 1)
            if number > 0:
                links["prev"] = link(number - 1)
            doc = {"data": page, "links": links, "meta": {"count": len(found)}}
            if "include" in params:
                doc["included"] = self._include(page)
            return json.loads(json.dumps(doc))

    def _indexed(self, item: dict[str, Any]) -> dict[str, Any]:
        """An agenda item as mu-search indexes it (the fields the kind may ask for)."""
        resolution = self.resolution(item)
        sessions = self._rel(item, "sessions")
        start = sessions[0]["attributes"].get("planned-start") if sessions else None
        bodies = [b for s in sessions for b in self._rel(s, "governing-body")]
        place = self.municipality(item)
        direct = any(self._rel(b, "administrative-unit") for b in bodies)
        doc: dict[str, Any] = {
            "uuid": item["id"], "title": item["attributes"].get("title"),
            "description": item["attributes"].get("description"),
            "resolution_title": resolution["attributes"].get("title"),
            "resolution_description": resolution["attributes"].get("description"),
            "session_planned_start": start,
            "governing_body_name": bodies[0]["attributes"]["name"] if bodies else None}
        doc["governing_body_location_name" if direct else "abstract_governing_body_location_name"] = place
        return doc

    def item_uri(self, rid: str) -> str:
        return str(self.res[("agenda-items", rid)]["attributes"]["uri"])

    def search(self, query: list[tuple[str, str]]) -> dict[str, Any]:
        """mu-search's ``GET /agenda-items/search`` (see the module docstring)."""
        with self.lock:
            docs = [self._indexed(self.res[("agenda-items", i)]) for i in self.items
                    if i not in self.tombstones]
            for key, value in query:
                if key == "filter[:sqs:search_content]":
                    fields = ("title", "description", "resolution_title", "resolution_description")
                    docs = [d for d in docs if simple_query_matches([d[f] or "" for f in fields], value)]
                elif key == "filter[:gte:session_planned_start]":
                    since = value.replace("+00:00", "Z")
                    docs = [d for d in docs if str(d["session_planned_start"] or "") >= since]
                elif key.startswith("filter[:phrase:") and key.endswith("]"):
                    names = key[len("filter[:phrase:"):-1].split(",")
                    wanted = value.casefold()
                    docs = [d for d in docs if any(wanted in str(d.get(n) or "").casefold() for n in names)]
                elif key.startswith("filter["):
                    raise ValueError(f"unexpected filter {key}")
            if ("sort[session_planned_start.field]", "asc") in query:
                docs.sort(key=lambda d: (str(d["session_planned_start"] or ""), d["uuid"]))
            params = dict(query)
            size, number = int(params.get("page[size]", "10")), int(params.get("page[number]", "0"))
            page = docs[number * size:(number + 1) * size]
            last = len(docs) // size
            kept = [(k, v) for k, v in query if not k.startswith("page[")]
            base = "/agenda-items/search?" + urlencode(kept)  # mu-search's own path

            def link(n: int) -> str:
                return f"{base}&page[number]={n}&page[size]={size}" if n else f"{base}&page[size]={size}"

            return {"count": len(docs),
                    "data": [{"type": "agenda-items", "id": d["uuid"],
                              "attributes": {**d, "uri": self.item_uri(d["uuid"])},
                              "highlight": None} for d in page],
                    "links": {"self": link(number), "first": link(0), "last": link(last),
                              "prev": link(max(number - 1, 0)), "next": link(min(number + 1, last))}}

    def answer(self, path: str, query: list[tuple[str, str]]) -> tuple[int, str, bytes]:
        if path == f"{PREFIX}/search/agenda-items/search":
            if self.misbehave == "empty":
                return 200, "application/json", b'{"count": 0, "data": [], "links": {}}'
            return 200, "application/json", json.dumps(self.search(query), ensure_ascii=False).encode()
        if path != f"{PREFIX}/agenda-items":
            return 404, "application/vnd.api+json", b'{"errors": [{"title": "Route not found"}]}'
        mode = self.misbehave
        if mode == "html":
            return 200, "text/html", b"<html><body><h1>Onderhoud</h1>Probeer later opnieuw.</body></html>"
        if mode == "malformed":
            return 200, "application/vnd.api+json", b'{"data": [{"type": "agenda-items", "id": "1", '
        if mode == "empty":
            return 200, "application/vnd.api+json", b'{"data": [], "links": {}, "meta": {"count": 0}}'
        doc = self.agenda_items(query)
        if mode == "loop" and "next" not in doc["links"]:
            doc["links"]["next"] = doc["links"]["first"]  # the last page links back to the first
        return 200, "application/vnd.api+json", json.dumps(doc, ensure_ascii=False).encode()

    def respond(self, path: str, query: str) -> tuple[int, str, bytes]:
        return self.answer(path, parse_qsl(query))
