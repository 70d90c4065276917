"""The audit recorder is installed on every project opened, however many a process opens."""

from __future__ import annotations

import gc

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import sessionmaker

from coder.store import audit
from coder.store.models import AuditRow, Base, PatientRow


def test_every_session_factory_made_in_one_process_is_audited() -> None:
    # SQLAlchemy's event registry is keyed by id(); a factory whose session class reused
    # a collected one's address looked "already installed" and went unaudited (about 1
    # in 20 here before the fix; a clean-clone CI run caught it as an empty trail).
    unaudited = []
    for n in range(300):
        engine = create_engine("sqlite://")
        Base.metadata.create_all(engine)
        factory = sessionmaker(bind=engine)
        audit.install(factory)
        audit.install(factory)  # idempotent: one entry per change, not two
        with factory() as session:
            session.add(PatientRow(code="P01"))
            session.commit()
            if session.scalar(select(func.count()).select_from(AuditRow)) != 1:
                unaudited.append(n)
        engine.dispose()
        del factory, engine
        if n % 5 == 0:
            gc.collect()
    assert unaudited == []
