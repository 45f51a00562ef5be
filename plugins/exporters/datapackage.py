"""A Frictionless data package: a folder with ``datapackage.json`` and the table as CSV.

The descriptor follows the Data Package and Table Schema specifications: one
resource per export, its fields typed and described from the table's documented
columns (array columns are strings joined by their separator), and the CSV written
as the CSV exporter writes it, without a byte-order mark. The package is valid under
the ``frictionless`` validator (the tests run it).
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from monitor.export.paths import inside, safe_name
from monitor.export.tables import Column, Table
from monitor.hookspecs import hookimpl
from plugins.exporters.text import csv_bytes

_TYPES = {"string": "string", "integer": "integer", "number": "number", "datetime": "string",
          "array": "string"}


def _field(c: Column) -> dict[str, Any]:
    description = c.description
    if c.type == "array":
        description += f" (several values joined by {c.sep!r})"
    if c.type == "datetime":
        description += " (ISO 8601)"
    return {"name": c.name, "type": _TYPES[c.type], "description": description}


class DataPackageExporter:
    name = "datapackage"
    extension = ""
    directory = True
    tables = None
    default_table = "records"

    def write(self, table: Table, folder: Path) -> None:
        # Names go through safe_name and inside, so no table name can write outside
        # the folder (docs/security.md).
        name = safe_name(table.name)
        data = PurePosixPath("data") / f"{name}.csv"
        inside(folder, "data").mkdir(parents=True, exist_ok=True)
        inside(folder, data.as_posix()).write_bytes(csv_bytes(table, bom=False))
        descriptor = {
            "name": f"twinwatch-{name}",
            "title": f"twinwatch: {table.title}",
            "created": table.created_at,
            "profile": "tabular-data-package",
            "resources": [{
                "name": name,
                "path": data.as_posix(),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": [_field(c) for c in table.columns]},
            }],
        }
        inside(folder, "datapackage.json").write_text(
            json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@hookimpl
def register_exporters() -> list[Any]:
    return [DataPackageExporter()]
