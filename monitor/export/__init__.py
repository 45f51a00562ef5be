"""Export: the service that writes files through exporter plugins and records batches
(:mod:`.service`), the exported tables and their columns (:mod:`.tables`), safe paths
inside an export folder (:mod:`.paths`), and a read-only datasette view (:mod:`.browse`).
"""
