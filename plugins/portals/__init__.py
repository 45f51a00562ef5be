"""Council-decision portals as source kinds (the ``portals`` entry point): one source
watches a whole portal, and each agenda item, paper or meeting is an entry carrying
the municipality (the body) that decided it.

``common`` holds what every portal kind shares: reading the portal spider's JSON
document, reading JSON and XML pages with bounds, adding a time filter to a list URL,
matching a body to the municipalities a source is limited to. Each kind has its own
module (``oparl``, ``lblod``, ``moderngov``, ``ori``). Their spider is
``spiders.portal:PortalSpider`` (named here as an import path only: plugins and
spiders never import each other).
"""

from __future__ import annotations

from monitor.hookspecs import SourceKind, hookimpl
from plugins.portals import lblod, moderngov, oparl, ori


@hookimpl
def register_source_kinds() -> list[SourceKind]:
    return [
        SourceKind("oparl", "an OParl 1.0/1.1 council-information API (give the System URL); "
                   "each paper, meeting and agenda item is an entry with its municipality",
                   "spiders.portal:PortalSpider", oparl.extract, oparl.links, reports_edits=True,
                   attachments=oparl.attachments, read_ahead=oparl.read_ahead),
        SourceKind("lblod", "Lokaal Beslist, the Flemish besluitendatabank (give its JSON:API base): "
                   "each agenda item with its decisions is an entry with its municipality; --query "
                   "searches server side",
                   "spiders.portal:PortalSpider", lblod.extract, lblod.links, reports_edits=True,
                   start=lblod.start, read_ahead=lblod.read_ahead),
        SourceKind("moderngov", "a council's ModernGov site (give its root, the folder holding "
                   "mgWebService.asmx): each agenda item with its decision is an entry, its "
                   "committee the body; --link-pattern limits the committees",
                   "spiders.portal:PortalSpider", moderngov.extract, moderngov.links,
                   reports_edits=True, start=moderngov.start, attachments=moderngov.attachments),
        SourceKind("ori", "Open Raadsinformatie, the Dutch council-document search (give its API base): "
                   "each document and agenda item is an entry with its municipality; --query searches "
                   "server side", "spiders.portal:PortalSpider", ori.extract, ori.links,
                   reports_edits=True, start=ori.start),
    ]
