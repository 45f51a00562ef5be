"""A loopback Open Raadsinformatie: the Elasticsearch 7 search endpoint of ORI
(``/v1/elastic/ori_*/_search``) over generated Dutch organisations and council
documents, answering the subset of the query DSL the ``ori`` kind sends.

Where the shapes come from: github.com/openstate/open-raadsinformatie (licence MIT, the
repository's LICENSE.txt): ``API-docs.md`` (commit 19b7b2fdec4f4d415742541e349446735f459d3c:
the Elastic endpoint ``https://api.openraadsinformatie.nl/v1/elastic/``, Elasticsearch
7.0, the v1 changes: ``last_discussed_at``, text of extracted documents as an array of
pages); ``example_requests.http`` (commit 5147fc81061501c77dcf1dec320bfdfba7858d39:
``ori_*/_search``, ``bool``/``must``/``filter``, ``simple_query_string`` over ``text``,
``name``, ``description``, ``range`` on ``last_discussed_at``, ``terms`` on
``classification`` [municipality, province, water] for the organisations);
``fetch_documents.py`` (commit 7fa41cafa3696c0e7401cf1a27fa94acc7ecc06b: paging with
``search_after`` the last hit's ``sort``, sorted by ``last_discussed_at`` then ``_id``,
``hits.total.value``); ``ocd_backend/models/definitions/schema.py`` (commit
12509d9c965909be8af47dd2f35480cbbcc0e124: MediaObject ``name``, ``url``, ``original_url``,
``text``, ``date_modified``, ``last_discussed_at``), ``meeting.py`` (commit
006c04a9e854f33c67ee5e7f3559b15738fd7c25: AgendaItem ``name``, ``description``,
``start_date``) and ``org.py`` (commit 2857b0dff68ad19d9e12746470bbab1e38616422:
``classification``, ``name``). ``has_organization_name`` holding the organisation's id
and ``@type.keyword`` filters are as public ORI clients send them (e.g. the
``openbesluitvorming`` fetcher that filters ``{"terms": {"has_organization_name": ids}}``);
``md_text`` (a list of page texts) as ORI's newer documents carry it. The GET form
(``source`` + ``source_content_type``) is Elasticsearch's own (reference 7.x, "Request
body in query string"). Nothing is copied; names and texts are generated here.

The server counts requests (``requests``; ``searches`` holds each decoded body) and can
misbehave on document searches (``misbehave = "loop" | "huge" | "html" | "empty"``);
``skew`` moves its clock. It stops with the test, and by itself after ``lifetime``.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from tests.portals.loopback import LoopbackPortal, simple_query_matches
from tests.portals.loopback import fold as _fold

PREFIX = "/v1/elastic/"
LONG_MAX = 2**63 - 1
"""Elasticsearch's sort value of a missing date, ascending with ``missing: _last``."""

ORGANISATIONS = ["Amsterdam", "Utrecht", "Nijmegen", "Groningen", "Den Haag", "Leiden", "Zwolle", "Delft"]
TOPICS = [
    "Raadsvoorstel vaststelling bestemmingsplan {}",
    "Begroting 2026 gemeente {}",
    "Motie over het parkeerbeleid in {}",
    "Beantwoording raadsvragen over de herinrichting van het centrum van {}",
    "Verordening afvalstoffenheffing {}",
    "Raadsinformatiebrief jeugdzorg {}",
    "Aanpak woningnood in {}",
    "Subsidieregeling sportverenigingen {}",
]
FILLER = ("De raad besluit het voorstel van het college over te nemen. De kosten worden gedekt uit de "
          "algemene reserve. Het college informeert de raad over de voortgang in het tweede kwartaal.")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:  # a date only
            moment = datetime.fromisoformat(value[:10])
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class OriServer(LoopbackPortal):
    """ORI's Elastic search endpoint on 127.0.0.1."""

    def __init__(self, *, organisations: int = 3, documents: int = 120, old: int = 10, seed: int = 16,
                 lifetime: float = 300) -> None:
        super().__init__(lifetime)
        self.misbehave: str | None = None
        self.skew = timedelta(0)
        self.rnd = random.Random(seed)
        self.docs: dict[str, dict[str, Any]] = {}
        """Every object's ``_source`` by ``_id`` (organisations, meetings and documents)."""
        self.organisations: list[str] = []
        """The organisations' ids, in order."""
        self.searches: list[dict[str, Any]] = []
        self._next_id = 240000
        self._generate(organisations, documents, old)

    @property
    def url(self) -> str:
        """The API base: what ``sources add --kind ori`` takes."""
        return f"http://127.0.0.1:{self.port}"

    def now(self) -> datetime:
        return datetime.now(UTC) + self.skew

    # -- data ---------------------------------------------------------------

    def _id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    def _generate(self, organisations: int, documents: int, old: int) -> None:
        now = datetime.now(UTC)
        for o in range(organisations):
            name = ORGANISATIONS[o % len(ORGANISATIONS)] + ("" if o < len(ORGANISATIONS) else f" {o}")
            oid = self._id()
            self.docs[oid] = {"@type": "TopLevelOrganization", "name": name, "classification": "municipality"}
            self.organisations.append(oid)
            committee = self._id()  # a committee: not an organisation the search is asked about
            self.docs[committee] = {"@type": "Organization", "name": f"Commissie Bestuur {name}",
                                    "classification": "committee", "has_organization_name": oid}
            for d in range(documents):
                age = timedelta(days=400 + d) if d < old else timedelta(days=self.rnd.uniform(1, 330))
                self.add_document(o, self.rnd.choice(TOPICS).format(name), FILLER, when=now - age)
            meeting = self._id()  # meetings are not entries: the kind does not ask for them
            self.docs[meeting] = {"@type": "Meeting", "name": f"Gemeenteraad {name}",
                                  "start_date": iso(now - timedelta(days=3)),
                                  "last_discussed_at": iso(now - timedelta(days=3)),
                                  "has_organization_name": oid}

    def add_document(self, organisation: int | None, name: str, text: str, *,
                     when: datetime | None = None, kind: str = "MediaObject",
                     modified: datetime | None = None, dated: bool = True) -> str:
        """A document (MediaObject with its extracted pages) or an agenda item, discussed
        ``when`` (now by default; never when not ``dated``); its id."""
        with self.lock:
            when = when if when is not None else self.now()
            doc: dict[str, Any] = {"@type": kind, "name": name,
                                   "date_modified": iso(modified or when)}
            if dated:
                doc["last_discussed_at"] = iso(when)
            if organisation is not None:
                doc["has_organization_name"] = self.organisations[organisation]
            did = self._id()
            if kind == "AgendaItem":
                doc["description"] = text
                if dated:
                    doc["start_date"] = iso(when)
            else:
                pages = [text, f"Pagina 2. {FILLER}"]
                doc["text"] = pages
                doc["md_text"] = pages
                doc["original_url"] = f"https://ris.example.nl/document/{did}.pdf"
                doc["url"] = f"https://api.openraadsinformatie.nl/v1/resolve/{did}"
                doc["content_type"] = "application/pdf"
            self.docs[did] = doc
            return did

    def edit(self, did: str, *, modified: datetime | None = None, **fields: Any) -> None:
        """Change a document; its ``date_modified`` becomes now (or ``modified``)."""
        with self.lock:
            self.docs[did].update(fields)
            self.docs[did]["date_modified"] = iso(modified or self.now())

    def documents(self, organisation: int | None = None) -> list[str]:
        """The ids of the documents (and agenda items), of one organisation if given."""
        oid = self.organisations[organisation] if organisation is not None else None
        return [i for i, d in self.docs.items() if d["@type"] in ("MediaObject", "AgendaItem")
                and (oid is None or d.get("has_organization_name") == oid)]

    def count(self) -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.startswith(PREFIX))

    # -- the query DSL --------------------------------------------------------

    def _field(self, doc: dict[str, Any], did: str, field: str) -> Any:
        if field == "_id":
            return did
        return doc.get(field.removesuffix(".keyword"))

    def _matches(self, did: str, doc: dict[str, Any], query: dict[str, Any]) -> bool:
        (kind, spec), = query.items()
        if kind == "match_all":
            return True
        if kind == "bool":
            def each(name: str) -> list[dict[str, Any]]:
                part = spec.get(name) or []
                return part if isinstance(part, list) else [part]
            if not all(self._matches(did, doc, q) for q in each("filter") + each("must")):
                return False
            if any(self._matches(did, doc, q) for q in each("must_not")):
                return False
            should = each("should")
            if should:
                need = spec.get("minimum_should_match", 0 if each("filter") + each("must") else 1)
                return sum(self._matches(did, doc, q) for q in should) >= need
            return True
        if kind in ("term", "terms"):
            (field, wanted), = spec.items()
            wanted = wanted if isinstance(wanted, list) else [wanted.get("value") if isinstance(wanted, dict)
                                                              else wanted]
            value = self._field(doc, did, field)
            return value is not None and str(value) in {str(w) for w in wanted}
        if kind == "exists":
            return self._field(doc, did, spec["field"]) is not None
        if kind == "range":
            (field, bounds), = spec.items()
            value = _time(self._field(doc, did, field))
            if value is None:
                return False
            for op, bound in bounds.items():
                limit = _time(bound)
                if limit is None:
                    raise ValueError(f"failed to parse date field [{bound}]")
                if not {"gte": value >= limit, "gt": value > limit, "lte": value <= limit,
                        "lt": value < limit}.get(op, True):
                    return False
            return True
        if kind == "simple_query_string":
            return self._text_matches(doc, spec)
        raise ValueError(f"unknown query [{kind}]")

    def _text_matches(self, doc: dict[str, Any], spec: dict[str, Any]) -> bool:
        """Any clause of the query in any of the fields (see :func:`simple_query_matches`)."""
        texts: list[str] = []
        for field in spec.get("fields") or ["*"]:
            value = doc.get(field) if field != "*" else " ".join(str(v) for v in doc.values())
            parts = value if isinstance(value, list) else [value]
            texts += [part for part in parts if isinstance(part, str)]
        return simple_query_matches(texts, spec.get("query", ""))

    def _sort_values(self, did: str, doc: dict[str, Any], sort: list[Any]) -> list[Any]:
        values: list[Any] = []
        for s in sort:
            field = s if isinstance(s, str) else next(iter(s))
            value = self._field(doc, did, field)
            if field == "_id":
                values.append(did)
            elif (moment := _time(value)) is not None:
                values.append(int(moment.timestamp() * 1000))
            else:
                values.append(LONG_MAX)
        return values

    def search(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            query = body.get("query") or {"match_all": {}}
            found = [(did, doc) for did, doc in self.docs.items() if self._matches(did, doc, query)]
            sort = body.get("sort") or [{"_id": {"order": "asc"}}]
            keyed = sorted(((self._sort_values(did, doc, sort), did, doc) for did, doc in found),
                           key=lambda t: t[0])
            after = body.get("search_after")
            if after is not None and self.misbehave != "loop":  # "loop": search_after is ignored
                keyed = [k for k in keyed if k[0] > after]
            size = int(body.get("size", 10))
            fields = body.get("_source")
            includes = fields.get("includes") if isinstance(fields, dict) else fields
            hits = []
            for values, did, doc in keyed[:size]:
                shown = {k: v for k, v in doc.items() if not includes or k in includes or "*" in includes}
                org = doc.get("has_organization_name") or did
                slug = _fold(self.docs.get(org, {}).get("name", "onbekend")).replace(" ", "_")
                index = f"ori_{slug}_20250101"  # one index per organisation, as ORI's
                hits.append({"_index": index, "_type": "_doc", "_id": did, "_score": None,
                             "_source": json.loads(json.dumps(shown)), "sort": values})
            return {"took": 3, "timed_out": False,
                    "_shards": {"total": len(self.organisations), "successful": len(self.organisations),
                                "skipped": 0, "failed": 0},
                    "hits": {"total": {"value": len(found), "relation": "eq"}, "max_score": None,
                             "hits": hits}}

    # -- HTTP ---------------------------------------------------------------

    def respond(self, path: str, query: str) -> tuple[int, str, bytes]:
        ctype = "application/json; charset=UTF-8"
        if not (path.startswith(PREFIX) and path.endswith("/_search")):
            return 404, ctype, b'{"error": "Not Found", "status": 404}'
        params = dict(parse_qsl(query))
        if "source" in params and params.get("source_content_type") != "application/json":
            return 400, ctype, json.dumps({"error": {"type": "illegal_state_exception", "reason":
                                          "source and source_content_type parameters are required"},
                                           "status": 400}).encode()
        try:
            body = json.loads(params.get("source") or "{}")
            is_documents = "sort" in body and any("last_discussed_at" in s for s in body["sort"])
            mode = self.misbehave if is_documents else None
            if mode == "html":
                return 200, "text/html", b"<html><body><h1>502 Bad Gateway</h1>nginx</body></html>"
            if mode == "empty":
                answer = {"took": 1, "timed_out": False, "hits": {"total": {"value": 0, "relation": "eq"},
                                                                 "max_score": None, "hits": []}}
            else:
                answer = self.search(body)
            if mode == "huge":
                answer["hits"]["hits"] = [{"_id": str(n), "_source": {"name": "x"}, "sort": [n, str(n)]}
                                          for n in range(100_000)]
            with self.lock:
                self.searches.append(body)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            error = {"error": {"type": "parsing_exception", "reason": str(exc)}, "status": 400}
            return 400, ctype, json.dumps(error).encode()
        return 200, ctype, json.dumps(answer, ensure_ascii=False).encode()
