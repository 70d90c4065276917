"""How far each rater has got: segments done per session, for the project browser."""

from __future__ import annotations

from sqlalchemy import select

from coder.app import schemes as scheme_service
from coder.app.browse import scheme_segments
from coder.app.identity import Coder
from coder.domain.coding import Unit
from coder.domain.scheme import Scheme, Scope
from coder.store.database import ProjectDatabase
from coder.store.models import (
    CodeApplicationRow,
    PatientRow,
    SchemeRow,
    SessionRow,
)


def segment_is_done(scheme: Scheme, own_ids_in_segment: set[str]) -> bool:
    """A segment is done when the rater gave every segment rating of the scheme (3RS
    asks for significance in every segment); in a scheme without segment ratings, when
    the rater coded anything in it."""
    wanted = {r.id for r in scheme.ratings_for(Scope.SEGMENT)}
    return wanted <= own_ids_in_segment if wanted else bool(own_ids_in_segment)


def coding_progress(
    db: ProjectDatabase, coder: Coder, scheme_key: str | None = None
) -> dict[tuple[str, int], tuple[int, int]]:
    """(patient, session) -> (segments done by ``coder``, segments in total)."""
    scheme = scheme_service.load_project_scheme(db, scheme_key)
    with db.reading() as session:
        segs = [(g.patient, g.session, g.index) for g in scheme_segments(session, scheme)]
        scheme_ids = list(session.scalars(select(SchemeRow.id).where(SchemeRow.key == scheme.id)))
        own = session.execute(
            select(
                PatientRow.code,
                SessionRow.number,
                CodeApplicationRow.unit_index,
                CodeApplicationRow.code_id,
            )
            .join(SessionRow, CodeApplicationRow.session_id == SessionRow.id)
            .join(PatientRow, SessionRow.patient_id == PatientRow.id)
            .where(
                CodeApplicationRow.rater_id == coder.rater_id,
                CodeApplicationRow.unit == Unit.SEGMENT.value,
                CodeApplicationRow.scheme_id.in_(scheme_ids),
            )
        ).all()
    coded: dict[tuple[str, int, int], set[str]] = {}
    for patient, number, index, code_id in own:
        coded.setdefault((patient, number, index), set()).add(code_id)
    progress: dict[tuple[str, int], tuple[int, int]] = {}
    for patient, number, index in segs:
        done, total = progress.get((patient, number), (0, 0))
        finished = segment_is_done(scheme, coded.get((patient, number, index), set()))
        progress[(patient, number)] = (done + int(finished), total + 1)
    return progress
