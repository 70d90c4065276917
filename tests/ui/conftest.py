from __future__ import annotations

import pytest

from coder.store.database import ProjectDatabase
from coder.store.models import PatientRow, SessionRow, SpeakerRow, TranscriptRow, TurnRow


@pytest.fixture
def filled_db(db: ProjectDatabase) -> ProjectDatabase:
    """A project with one patient, two sessions, the first with a 3-turn transcript."""
    with db.transaction() as s:
        patient = PatientRow(code="P01")
        s.add(patient)
        s.flush()
        first = SessionRow(patient_id=patient.id, number=1)
        s.add_all([first, SessionRow(patient_id=patient.id, number=2)])
        s.flush()
        transcript = TranscriptRow(
            session_id=first.id,
            source_name="P01_S1.txt",
            source_format="txt",
            content_hash="x" * 64,
        )
        s.add(transcript)
        s.flush()
        therapist = SpeakerRow(transcript_id=transcript.id, label="T", role="therapist")
        patient_speaker = SpeakerRow(transcript_id=transcript.id, label="P", role="patient")
        s.add_all([therapist, patient_speaker])
        s.flush()
        for i, (speaker, text) in enumerate(
            [
                (therapist, "How was your week?"),
                (patient_speaker, "Fine."),
                (therapist, "Just fine?"),
            ],
            start=1,
        ):
            s.add(
                TurnRow(
                    transcript_id=transcript.id,
                    index=i,
                    speaker_id=speaker.id,
                    start_ms=i * 4000,
                    end_ms=None,
                    text=text,
                )
            )
    return db
