"""The governance register: every adoption, decision, review, notice, amendment and signature
record of an agreement, kept as git commits whose messages end in ``Tymdocs-*`` trailers.

One job per module, read in this order:

- ``records``: one record, its trailers written and parsed;
- ``history``: the records as one ``git log`` reads them, the versions, what is in force on a
  date;
- ``merges``: what each commit changes of its own, a merge judged by what it brings into its
  first parent;
- ``citation``: how documents and reports cite records;
- ``recording``: the record commands' plans, refused when a rule says no;
- ``audit``: ``check --governance``, every commit judged by the same rules;
- ``status`` and ``register``: where the agreement stands, and the register as people read it.

The names most of tymdocs needs are importable from the package itself; the commands' modules
are imported where a command uses them.
"""

from tymdocs.characters import printable
from tymdocs.governance.citation import (
    cite,
    describe,
    made_by,
    notes,
    part_name,
    version_label,
)
from tymdocs.governance.history import (
    Entry,
    History,
    InForce,
    Located,
    Version,
    add_months,
    config_rewrites,
    history_of,
    in_force_on,
    locate,
    read_history,
    read_log,
    without_rewrites,
)
from tymdocs.governance.records import (
    MAIN_TEXT,
    METADATA,
    PREFIX,
    RECORD_KINDS,
    VERSIONED,
    Attachment,
    Record,
    RecordKind,
    annex_part,
    body_key,
    is_main_part,
    main_parts,
    parse_record,
    part_number,
    record_dict,
    same_body,
    section_part,
)

__all__ = [
    "MAIN_TEXT",
    "METADATA",
    "PREFIX",
    "RECORD_KINDS",
    "VERSIONED",
    "Attachment",
    "Entry",
    "History",
    "InForce",
    "Located",
    "Record",
    "RecordKind",
    "Version",
    "add_months",
    "annex_part",
    "body_key",
    "cite",
    "config_rewrites",
    "describe",
    "history_of",
    "in_force_on",
    "is_main_part",
    "locate",
    "made_by",
    "main_parts",
    "notes",
    "parse_record",
    "part_name",
    "part_number",
    "printable",
    "read_history",
    "read_log",
    "record_dict",
    "same_body",
    "section_part",
    "version_label",
    "without_rewrites",
]
