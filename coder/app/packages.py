"""Rater packages: one rater's work carried from a laptop copy into the lab project.

``coder package export`` writes a rater's codes (with their stable ``uid``), episodes and
memos, together with what they refer to: the project's identity, each scheme's key,
revision and content hash, and per therapy session a hash of the stored turns and of
the segment grids the codes sit in. ``coder package merge`` brings one or more packages
into the lab project in ONE transaction, and only when nothing is wrong:

* a package from another project, or whose transcripts, segments or scheme revisions
  differ from the project's, is refused as a whole (its codes would point at other
  words);
* codes are keyed by ``uid``: a code already in the project with the same content is
  *unchanged* (merging twice adds nothing); the same uid with other content, a uid that
  belongs to another rater's code, or a rating the project holds with another value is a
  *conflict*; every conflict is reported, with its session, and nothing is written;
* nothing is ever deleted or overwritten: a merge only inserts;
* who may merge what is asked of :mod:`coder.app.access` exactly as a codes import asks
  it: a rater merges only their own package (into sessions assigned to them while a
  round is open), a lead anyone's, and no code goes into a round or session that is no
  longer open.

Why hashes are computed here rather than stored: the stored ``transcripts.content_hash``
normalises whitespace (it recognises duplicate imports), but evidence spans are
character offsets into the exact stored text, so the package hashes the turns exactly as
stored (index, speaker, times, text); being computed from stored rows, it needs no
migration and is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from coder.app.package_export import PackageExport, export_package
from coder.app.package_format import CODE_COLUMNS
from coder.app.package_merge import merge_packages
from coder.app.package_plan import MergeResult, PackagePreview, PackageRefused, SessionChange

__all__ = [
    "CODE_COLUMNS",
    "MergeResult",
    "PackageExport",
    "PackagePreview",
    "PackageRefused",
    "SessionChange",
    "export_package",
    "merge_packages",
]
