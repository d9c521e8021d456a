"""Removing an evidence record or a justification deletes the evidence file no other record uses (issue 13)."""
from sqlalchemy import func, select

from sistema_seguimiento import paths
from sistema_seguimiento.db.models import Evidence, Justification
from sistema_seguimiento.services import justifications as J
from sistema_seguimiento.services.users import CurrentUser

CAP = CurrentUser("captura-0301", "capturista", "0301")
IND = "E001-A11-01"


def test_evidence_file_deleted_when_its_last_record_goes(demo_db, tmp_path):
    pdf = tmp_path / "acta.pdf"
    pdf.write_bytes(b"%PDF-1.4 misma acta")
    a = J.add_evidence(demo_db, CAP, IND, "2026-10", pdf)
    b = J.add_evidence(demo_db, CAP, IND, "2026-11", pdf)  # same content: one stored file
    assert a.stored_path == b.stored_path and a.stored_path.exists()
    J.remove_evidence(demo_db, CAP, a.id)
    assert a.stored_path.exists()  # still backs the November record
    J.remove_evidence(demo_db, CAP, b.id)
    assert not a.stored_path.exists()


def test_removing_a_justification_removes_its_evidence_and_orphan_files(demo_db, tmp_path):
    pdf = tmp_path / "foto.png"
    pdf.write_bytes(b"\x89PNG foto")
    J.save(demo_db, CAP, IND, "2026-10", cause="Lluvias")
    info = J.add_evidence(demo_db, CAP, IND, "2026-10", pdf)
    J.remove(demo_db, CAP, IND, "2026-10")
    assert not info.stored_path.exists()
    assert paths.evidence_dir(demo_db.path).exists()
    with demo_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Evidence)) == 0
        assert s.scalar(select(func.count()).select_from(Justification).where(
            Justification.period == "2026-10", Justification.cause == "Lluvias")) == 0
