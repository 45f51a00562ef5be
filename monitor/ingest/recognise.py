"""Answers that stand in for the page: the one place that recognises a fetch as
``blocked``, ``moved`` or ``gone``.

- **blocked**: a bot-protection challenge, block or captcha page, whatever its
  status (200, 403, 429 or 503): recognised by a vendor's header or by markers in
  the body, listed in :data:`VENDORS` with the public page each comes from;
- **moved**: a permanent redirect (301, 308) to another URL, or any redirect that
  ends on a site's home page (a rebuilt site sends its old addresses there);
- **gone**: HTTP 410, or a "soft 404" served as a page: a title (or first heading)
  saying the page is not found, or a short page saying so, in nl, fr, de, en, es
  or it, and maintenance pages.

None of them is a change nor a new baseline: :func:`settle` turns such a result
into a failure of its kind, which the writer records without touching the stored
text, so the next real answer is compared with the last good one.

Pure and cheap: no database, no HTML parser; only the first :data:`HEAD_BYTES` of a
body are read. Callers ask only about bodies that differ from the source's last
good ones (see :func:`monitor.ingest.outcome.settle`).
"""

from __future__ import annotations

import dataclasses
import functools
import html
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from monitor.models import FetchResult

OUTCOMES = ("blocked", "moved", "gone")
"""The outcomes recognised here (each a failure kind: the stored text stays)."""

HEAD_BYTES = 65536
"""How much of a body is read: challenge and not-found pages say what they are early."""

WALL_TEXT = 1500
"""A page served with status 200 counts as a bot wall by its markers only when it
has fewer visible characters than this: a real page that embeds a vendor's script
or a captcha form has more to say."""

BARE_TEXT = 300
"""A page served with status 200 is a not-found page by its text alone (no title
or heading saying so) only when it has fewer visible characters than this (a bare
"The requested URL was not found"): a real page may quote the phrase."""

PERMANENT = (301, 308)
"""Redirect statuses that say the page has a new address (RFC 9110 15.4.2, 15.4.9)."""

BLOCKING_STATUSES = (403, 429, 503)
"""Statuses bot protection answers with; a marker alone suffices with these."""


@dataclass(frozen=True)
class Vendor:
    """How one bot-protection vendor's challenge or block page is recognised."""

    name: str
    headers: tuple[tuple[str, str], ...] = ()
    """``(header, value)``: the header carries this value (lower case, a substring)
    only on a challenge or block; enough on its own, at any status."""
    markers: tuple[bytes, ...] = ()
    """Lower-case bytes found only in the vendor's challenge or block pages: enough
    with a blocking status, or on a short page (:data:`WALL_TEXT`) served with 200."""
    source: str = ""
    """Where the header or markers are documented."""


VENDORS: tuple[Vendor, ...] = (
    Vendor("Cloudflare", headers=(("cf-mitigated", "challenge"),),
           markers=(b"window._cf_chl_opt", b"_cf_chl_opt", b"/cdn-cgi/challenge-platform/h/",
                    b"cf-chl-", b"<title>just a moment...</title>",
                    b"<title>just a moment\xe2\x80\xa6</title>",
                    b"<title>attention required! | cloudflare</title>", b"cf-error-details"),
           # "the Challenge Page response (regardless of the Challenge Page type) will have
           # the cf-mitigated header present and set to challenge". The body markers are
           # those of the challenge and 1020 block pages (wafw00f plugins/cloudflare.py).
           # /cdn-cgi/challenge-platform/scripts/ is left out: Cloudflare injects it into
           # ordinary pages (JavaScript detections).
           source="https://developers.cloudflare.com/cloudflare-challenges/challenge-types/"
                  "challenge-pages/detect-response/"),
    Vendor("DataDome",
           markers=(b"geo.captcha-delivery.com", b"ct.captcha-delivery.com", b"captcha-delivery.com/captcha"),
           # The block page loads its captcha from captcha-delivery.com; the x-datadome
           # header is on every answer of a protected site, so it is no sign of a block.
           source="https://docs.datadome.co/docs/captcha-page and wafw00f plugins/datadome.py"),
    Vendor("Imperva (Incapsula)",
           markers=(b"incapsula incident id", b"/_incapsula_resource", b"powered by incapsula"),
           source="https://docs.imperva.com/bundle/cloud-application-security/page/settings/"
                  "custom-error-pages.htm and wafw00f plugins/incapsula.py"),
    Vendor("Akamai",
           markers=(b"errors.edgesuite.net", b"/_sec/cp_challenge/", b"sec-if-cpt-container"),
           # "Access Denied ... Reference #18.xxx" pages link errors.edgesuite.net; Bot
           # Manager's challenge loads /_sec/cp_challenge/.
           source="https://techdocs.akamai.com/property-mgr/docs/reference-number and "
                  "wafw00f plugins/akamai.py"),
    Vendor("Sucuri", headers=(("x-sucuri-block", ""),),
           markers=(b"sucuri website firewall - access denied", b"cloudproxy@sucuri.net",
                    b"sucuri_cloudproxy_js"),
           source="https://docs.sucuri.net/website-firewall/troubleshooting/"
                  "blocked-by-the-firewall/ and wafw00f plugins/sucuri.py"),
    Vendor("AWS WAF", headers=(("x-amzn-waf-action", "captcha"), ("x-amzn-waf-action", "challenge")),
           source="https://docs.aws.amazon.com/waf/latest/developerguide/"
                  "waf-captcha-and-challenge-how-it-works.html"),
    Vendor("Vercel", headers=(("x-vercel-mitigated", "challenge"), ("x-vercel-mitigated", "deny")),
           source="https://vercel.com/docs/vercel-firewall/firewall-concepts#challenge"),
    Vendor("Anubis", markers=(b'id="anubis_challenge"', b"anubis_version"),
           source="https://anubis.techaro.lol/docs/"),
)
"""The vendors recognised, most common first."""

CAPTCHAS: tuple[tuple[str, tuple[bytes, ...]], ...] = (
    # https://docs.hcaptcha.com/#add-the-hcaptcha-widget-to-your-webpage
    ("hCaptcha", (b"hcaptcha.com/1/api.js", b'class="h-captcha"')),
    # https://developers.google.com/recaptcha/docs/display
    ("reCAPTCHA", (b"google.com/recaptcha/api.js", b"recaptcha.net/recaptcha/api.js",
                   b'class="g-recaptcha"')),
    # https://developers.cloudflare.com/turnstile/get-started/client-side-rendering/
    ("Turnstile", (b"challenges.cloudflare.com/turnstile", b'class="cf-turnstile"')),
)
"""Captcha widgets. A contact form may carry one too: a captcha makes a wall only
with a blocking status, or on a short page that speaks of robots or captchas."""

_WALL_WORDS = re.compile(
    r"captcha|robot|verify you are (a )?human|are you (a )?human|security check|unusual traffic|"
    r"ben je een mens|geen robot|pas un robot|etes-vous humain|kein roboter|no soy un robot|non sono un robot"
)

NOT_FOUND = (
    # en
    "page not found", "page cannot be found", "page could not be found", "not found", "404 not found",
    "this page does not exist", "this page doesn't exist", "the page you requested could not be found",
    "page no longer exists",
    # nl
    "pagina niet gevonden", "pagina is niet gevonden", "pagina kon niet worden gevonden",
    "deze pagina bestaat niet", "deze pagina bestaat niet meer", "niet gevonden",
    # fr
    "page introuvable", "page non trouvee", "page inexistante", "cette page n'existe pas",
    "la page demandee n'existe pas", "la page demandee est introuvable", "page non disponible",
    # de
    "seite nicht gefunden", "seite wurde nicht gefunden", "diese seite existiert nicht",
    "seite konnte nicht gefunden werden",
    # es
    "pagina no encontrada", "no se ha encontrado la pagina", "la pagina no existe", "pagina no existe",
    # it
    "pagina non trovata", "la pagina non esiste", "pagina non esistente",
    "pagina richiesta non e disponibile",
)
"""Phrases of a not-found page (folded: lower case, no accents, straight quotes)."""

MAINTENANCE = (
    "maintenance", "under maintenance", "down for maintenance", "maintenance mode", "scheduled maintenance",
    "onderhoud", "in onderhoud", "wegens onderhoud", "onderhoudswerkzaamheden",
    "en maintenance", "en cours de maintenance", "maintenance en cours",
    "wartung", "wartungsarbeiten", "wartungsmodus", "wegen wartung",
    "mantenimiento", "en mantenimiento", "por mantenimiento",
    "manutenzione", "in manutenzione", "manutenzione in corso",
)
"""A title part that is only one of these says the site is under maintenance (folded)."""

_SITE_MAINTENANCE = re.compile(
    r"\b(web)?(site|sites|pagina|seite|sitio|sito|portal|portail)\b.{0,30}"
    r"\b(maintenance|onderhoud|wartung\w*|gewartet|mantenimiento|manutenzione)\b"
    r"|\b(maintenance|onderhoud|wartung\w*|mantenimiento|manutenzione)\b.{0,30}"
    r"\b(web)?(site|sites|pagina|seite|sitio|sito|portal|portail)\b")
"""The site (not a swimming pool or a road) is under maintenance."""

_PHRASES = re.compile(r"\b(" + "|".join(re.escape(p) for p in sorted(NOT_FOUND, key=len, reverse=True))
                      + r")\b")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title\s*>", re.I | re.S)
_H1 = re.compile(rb"<h1[^>]*>(.*?)</h1\s*>", re.I | re.S)
_DROP = re.compile(rb"<(script|style|noscript|template|svg)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_TAG = re.compile(rb"<[^>]*>")
_SEPARATORS = re.compile(r"\s[|\-\u2013\u2014:\u00b7\u00bb/]\s|\s*[|\u00bb\u00b7]\s*")
_FILLER = re.compile(r"\b(error|erreur|fout|fehler|errore|oops|oeps|oups|helaas|sorry|desole|404|410)\b"
                     r"|[!.:,\-\u2013]")
_HOME_PATH = re.compile(r"/?([a-z]{2}([-_][a-z]{2})?/?)?(index\.[a-z]{2,5}|home|accueil|startseite)?/?", re.I)


@dataclass(frozen=True)
class Recognised:
    """What a fetch was instead of the page."""

    outcome: str
    """``blocked``, ``moved`` or ``gone``."""
    message: str
    """The reason in words (stored as the fetch's message)."""


def settle(result: FetchResult) -> FetchResult:
    """``result`` itself, or, when it stands in for the page, a copy that is a
    failure of its kind (``error_kind`` ``blocked``, ``moved`` or ``gone``) with the
    reason as its ``error``."""
    found = recognise(result)
    if found is None:
        return result
    return dataclasses.replace(result, error_kind=found.outcome, error=found.message)


def recognise(result: FetchResult) -> Recognised | None:
    """Whether ``result`` is a block, a move or a dead page (in that order); ``None``
    for a result that is the page (or another failure)."""
    if result.error_kind not in (None, "http-error") or result.status is None:
        return None
    return blocked(result) or moved(result) or gone(result)


# ---------------------------------------------------------------------------
# blocked
# ---------------------------------------------------------------------------


def blocked(result: FetchResult) -> Recognised | None:
    """A vendor's challenge, block or captcha page (see :data:`VENDORS`)."""
    status = result.status or 0
    if status != 200 and status not in BLOCKING_STATUSES:
        return None
    headers = result.headers
    for vendor in VENDORS:
        for name, value in vendor.headers:
            got = headers.get(name)
            if got is not None and value in got.lower():
                return Recognised("blocked", f"{vendor.name} {_what(result)} ({name}: {got[:40]}), "
                                             f"HTTP {status}")
    if not result.body or not _htmlish(result):
        return None
    walls = status in BLOCKING_STATUSES
    if not walls and not _short(result.body[:HEAD_BYTES]):
        # a page served with 200 and this much text is the page, whatever vendor's
        # script it embeds: no need to look for markers (most pages of a crawl)
        return None
    head = result.body[:HEAD_BYTES].lower()
    for vendor in VENDORS:
        marker = next((m for m in vendor.markers if m in head), None)
        if marker is not None:
            return Recognised("blocked", f"{vendor.name} {_what(result)} "
                                         f"(marker {marker.decode('utf-8', 'replace')!r}), HTTP {status}")
    for name, markers in CAPTCHAS:
        if any(m in head for m in markers) and (walls or _WALL_WORDS.search(_fold_bytes(_visible(head)))):
            return Recognised("blocked", f"captcha page ({name}), HTTP {status}")
    return None


def _what(result: FetchResult) -> str:
    return "captcha" if b"captcha" in result.body[:HEAD_BYTES].lower() else "challenge or block page"


# ---------------------------------------------------------------------------
# moved
# ---------------------------------------------------------------------------


def moved(result: FetchResult) -> Recognised | None:
    """A permanent redirect to another URL, or any redirect to a home page. The
    message ends with the new URL in angle brackets (see :func:`new_url`)."""
    if not result.redirects:
        return None
    chain = [url for url, _ in result.redirects] + [result.url]
    start = chain[0]
    permanent = [i for i, (_, status) in enumerate(result.redirects) if status in PERMANENT]
    if is_home(result.url) and not is_home(start):
        status = result.redirects[-1][1]
        how = f"HTTP {status}" if status else "a meta refresh"
        return Recognised("moved", f"redirects ({how}) to the site's home page: the page was "
                                   f"removed or moved <{result.url}>")
    if permanent:
        target = chain[permanent[-1] + 1]
        if _same(target, start):
            return None
        status = result.redirects[permanent[-1]][1]
        return Recognised("moved", f"moved permanently (HTTP {status}) <{target}>")
    return None


def new_url(message: str | None) -> str | None:
    """The new URL a ``moved`` message names (``None`` when there is none)."""
    found = re.search(r"<([^<>\s]+)>\s*$", message or "")
    return found.group(1) if found else None


def is_home(url: str) -> bool:
    """Whether ``url`` is a site's home page: ``/``, ``/index.html``, a language's
    root (``/nl/``, ``/fr-be``) and the like, without a query."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return not parts.query and _HOME_PATH.fullmatch(parts.path or "/") is not None


def _same(a: str, b: str) -> bool:
    """The same page at a normalised address: but for a fragment (a redirect to itself
    sets a cookie), the scheme (http upgraded to https), a ``www.`` prefix, the host's
    case and a trailing slash. Such a redirect is housekeeping, not a move: the page
    is read where it landed, as before."""
    def norm(url: str) -> tuple[str, str, str]:
        try:
            parts = urlsplit(url.split("#")[0])
        except ValueError:
            return url, "", ""
        host = (parts.hostname or "").lower().removeprefix("www.")
        port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
        return host + port, parts.path.rstrip("/") or "/", parts.query
    return norm(a) == norm(b)


# ---------------------------------------------------------------------------
# gone
# ---------------------------------------------------------------------------


def gone(result: FetchResult) -> Recognised | None:
    """HTTP 410, or a page served with 200 whose title or first heading says it is
    not found or under maintenance, or a short page that says so."""
    if result.status == 410:
        return Recognised("gone", "HTTP 410 Gone: the server says the page was removed for good")
    if result.status != 200 or result.error_kind or not result.body or not _htmlish(result):
        return None
    head = result.body[:HEAD_BYTES]
    for label, pattern in (("title", _TITLE), ("heading", _H1)):
        found = pattern.search(head)
        if found is None:
            continue
        text = _fold_bytes(found.group(1))
        phrase = _says(text)
        if phrase:
            return Recognised("gone", f"{_kind(phrase)} ({label} {_shown(found.group(1))!r})")
    if _short(head, BARE_TEXT):
        text = _fold_bytes(_visible(head))
        said = _PHRASES.search(text)
        if said and said.group(1) not in ("not found", "niet gevonden"):  # "no results found"
            return Recognised("gone", f"{_kind(said.group(1))} (a short page saying {said.group(1)!r})")
        site = _SITE_MAINTENANCE.search(text)
        if site:
            return Recognised("gone", f"maintenance page (a short page saying {site.group(0)!r})")
    return None


def _says(text: str) -> str | None:
    """The phrase a title or heading consists of: one of its parts (split at ``|``,
    `` - `` and the like) is a not-found or maintenance phrase, give or take
    ``404``, ``error`` and punctuation."""
    for part in [text, *_SEPARATORS.split(text)]:
        bare = " ".join(_FILLER.sub(" ", part).split())
        if bare in NOT_FOUND or bare in MAINTENANCE:
            return bare
        if _SITE_MAINTENANCE.search(bare):
            return "maintenance"
        if not bare and re.search(r"\b(404|410)\b", part):
            return "404"
    return None


def _kind(phrase: str) -> str:
    return "maintenance page" if phrase in MAINTENANCE else "soft 404: a not-found page served as a page"


def _shown(raw: bytes) -> str:
    return " ".join(html.unescape(raw.decode("utf-8", "replace")).split())[:80]


# ---------------------------------------------------------------------------
# text helpers
# ---------------------------------------------------------------------------


def _htmlish(result: FetchResult) -> bool:
    ctype = result.headers.get("content-type", "").lower()
    if "html" in ctype:
        return True
    if ctype and not ctype.startswith("text/"):
        return False
    return b"<html" in result.body[:2048].lower() or b"<!doctype html" in result.body[:2048].lower()


def _visible(head: bytes) -> bytes:
    return _TAG.sub(b" ", _DROP.sub(b" ", head))


def _short(head: bytes, limit: int = WALL_TEXT) -> bool:
    """Fewer than ``limit`` (at most :data:`WALL_TEXT`) visible characters, spaces
    collapsed (a body cut at :data:`HEAD_BYTES` is never short)."""
    if len(head) >= HEAD_BYTES:
        return False
    if _early_solid(head) >= limit:
        return False
    visible = _visible_head(head)
    # The visible bytes that are not spaces are a lower bound of the collapsed length,
    # found at C speed: most pages have far more than ``limit`` of them, and only the
    # others are split into words.
    if _solid(visible) >= limit:
        return False
    return len(b" ".join(visible.split())) < limit


_SPACE_BYTES = b" \t\n\r\x0b\x0c"
"""The bytes ``bytes.split()`` splits at."""


def _solid(visible: bytes) -> int:
    """The bytes of ``visible`` that are not spaces: a lower bound of its collapsed length."""
    return len(visible.translate(None, _SPACE_BYTES))


STEP_BYTES = 4096
"""How much of a head :func:`_early_solid` reads at a time: most pages show enough text
early to be no wall nor bare not-found page, and stripping tags costs by the byte (a
tenth of a millisecond for 16 KB, on the crawler's own thread)."""

_OPENER = re.compile(rb"<(?:script|style|noscript|template|svg)\b|<!--", re.I)


@functools.lru_cache(maxsize=2)
def _early_solid(head: bytes) -> int:
    """:func:`_solid` of the visible text of ``head``, read :data:`STEP_BYTES` at a time
    and no further than needed to reach :data:`WALL_TEXT`: a lower bound of the whole
    head's (each step counts only what reads the same whatever follows, see
    :func:`_settled`). Cached for the last heads: :func:`blocked` and :func:`gone` ask
    about the same page."""
    pos, solid, step = 0, 0, STEP_BYTES
    while pos < len(head) and solid < WALL_TEXT:
        visible, used = _settled(head[pos:pos + step])
        if used == 0:  # a script, comment or tag runs on past this step
            if pos + step >= len(head):
                break
            step *= 2
            continue
        solid += _solid(visible)
        pos += used
        step = STEP_BYTES
    return solid


def _settled(part: bytes) -> tuple[bytes, int]:
    """The visible text of the start of ``part`` that reads the same whatever follows it
    in the page (up to the first script, style, comment or tag ``part`` does not close),
    and that start's length in ``part``. :data:`_DROP` and :data:`_TAG` match left to
    right, each up to the nearest closing, so every match before that point is the same
    in the whole page, and reading on from it starts afresh."""
    kept = _DROP.sub(b" ", part)
    opener = _OPENER.search(kept)
    cut = len(kept) if opener is None else opener.start()
    unclosed = kept.find(b"<", kept.rfind(b">", 0, cut) + 1, cut)
    if unclosed >= 0:
        cut = unclosed
    # ``cut`` counts each dropped block as the one space it became: back to ``part``'s bytes
    used = cut
    for dropped in _DROP.finditer(part):
        if dropped.start() >= used:
            break
        used += dropped.end() - dropped.start() - 1
    return _TAG.sub(b" ", kept[:cut]), used


@functools.lru_cache(maxsize=2)
def _visible_head(head: bytes) -> bytes:
    """:func:`_visible` of ``head``, cached for the last heads: :func:`blocked` and
    :func:`gone` ask about the same page, and stripping its tags is most of what
    recognising a page costs."""
    return _visible(head)


def _fold_bytes(raw: bytes) -> str:
    return fold(html.unescape(raw.decode("utf-8", "replace")))


def fold(text: str) -> str:
    """Lower case, accents removed, straight apostrophes, single spaces: how the
    phrases are compared."""
    if not text.isascii():  # ASCII (most titles) has no accent to take off
        text = unicodedata.normalize("NFKD", text.replace("\u2019", "'").replace("\u2018", "'"))
        text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())
