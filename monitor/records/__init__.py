"""Registry records: the curator's confirmed facts and their evidence (:mod:`.registry`,
the writer), their reads and twinning timelines (:mod:`.queries`), and what the
record form starts from (:mod:`.drafts`).
"""
