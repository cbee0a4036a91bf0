"""Issue 22 item 1: each volante keeps a copy of what the monthly report reads of its FUR (who
filed it, its resultado and amounts; migration 0020), so no report statement joins every FUR.
The copies must follow the FUR through filing, sending back, re-filing and the review."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select, text

from core.models import Fur, Volante
from core.services import cases as svc


def _copies(volante: Volante) -> tuple:
    return (volante.fur_filed_by_id, volante.fur_resultado, volante.fur_monto_reclamado,
            volante.fur_monto_reembolsado)


def _of_fur(fur: Fur) -> tuple:
    return (fur.filed_by_id, fur.resultado, fur.monto_reclamado, fur.monto_reembolsado)


def test_copies_follow_the_fur_when_filed_sent_back_refiled_and_reviewed(db, make):
    enlace = make.actor(make.enlace("14"))
    vin = make.actor(make.user("vinculacion"))
    case = make.case("cobro_injustificado", "14")
    first = case.open_volante
    assert _copies(first) == (None, None, None, None)
    svc.save_fur(db, first, enlace, make.fur_data(resultado="no_favorable", monto_reclamado=900,
                                                  monto_reembolsado=0), submit=False)
    db.flush()
    assert _copies(first) == (None, None, None, None)  # a draft is not an answer yet

    svc.save_fur(db, first, enlace, make.fur_data(resultado="no_favorable", monto_reclamado=900,
                                                  monto_reembolsado=0), submit=True)
    db.commit()
    assert _copies(first) == _of_fur(first.fur) == (enlace.id, "no_favorable", Decimal("900.00"), Decimal("0.00"))

    svc.send_back(db, case, vin, "Ampliar gestión: falta el recibo.")
    db.commit()
    second = case.open_volante
    assert second.id != first.id and second.fur is not None and second.fur.is_draft  # the copied draft
    assert _copies(second) == (None, None, None, None)
    assert _copies(first) == (enlace.id, "no_favorable", Decimal("900.00"), Decimal("0.00"))

    # re-filed by Vinculación with another resultado and amounts: the new volante's copy is the new FUR's
    svc.save_fur(db, second, vin, make.fur_data(resultado="favorable", monto_reclamado=900, monto_reembolsado=650,
                                                fecha_reembolso=date(2026, 11, 21)), submit=True)
    db.commit()
    assert _copies(second) == _of_fur(second.fur) == (vin.id, "favorable", Decimal("900.00"), Decimal("650.00"))

    svc.accept_fur(db, case, vin)
    db.commit()
    db.expire_all()
    for volante in db.scalars(select(Volante).where(Volante.case_id == case.id)):
        assert _copies(volante) == _of_fur(volante.fur)


def test_migration_backfills_the_copies(tmp_path):
    """Rows written before migration 0020 get the copies of their filed FUR; a draft gives none."""
    from core.db import make_engine
    from core.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0019")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO cases (id, folio, tipo, canal, estado_clave, status, description, search_text, created_at,"
            " updated_at, version, ronda) VALUES (1, 'SINAC-2026-000001', 'cobro_injustificado', 'sms', '14',"
            " 'turnada', '', '', '2026-10-01', '2026-10-01', 1, 1)"))
        conn.execute(text("INSERT INTO users (id, email, nombre, password_hash, role, estado_clave, active,"
                          " failed_logins, created_at) VALUES (7, 'e@x.mx', 'Enlace', 'x', 'enlace', '14', 1, 0,"
                          " '2026-10-01')"))
        for vid, numero, status, sent in ((1, 1, "devuelto", "2026-10-01 16:00:00.000000"),
                                          (2, 2, "abierto", "2026-10-06 16:00:00.000000")):
            conn.execute(text(
                "INSERT INTO volantes (id, case_id, numero, estado_clave, instructions, status, plazo_dias, sent_at,"
                " due_date, ronda, round_first_id) VALUES (:id, 1, :n, '14', '', :s, 10, :sent, '2026-10-15', 1, 1)"),
                {"id": vid, "n": numero, "s": status, "sent": sent})
        for fid, vid, draft, resultado, reembolsado in ((1, 1, 0, "no_favorable", 0), (2, 2, 1, "favorable", 300)):
            conn.execute(text(
                "INSERT INTO furs (id, volante_id, case_id, resultado, monto_reclamado, monto_reembolsado, is_draft,"
                " filed_by_id, created_at, updated_at, version) VALUES (:f, :v, 1, :r, 900, :m, :d, :by,"
                " '2026-10-03', '2026-10-03', 1)"),
                {"f": fid, "v": vid, "r": resultado, "m": reembolsado, "d": draft, "by": None if draft else 7})
    upgrade(url)
    with engine.connect() as conn:
        rows = conn.execute(select(Volante.id, Volante.fur_filed_by_id, Volante.fur_resultado,
                                   Volante.fur_monto_reclamado, Volante.fur_monto_reembolsado)
                            .order_by(Volante.id)).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, 7, "no_favorable", Decimal("900.00"), Decimal("0.00")),
                                        (2, None, None, None, None)]
