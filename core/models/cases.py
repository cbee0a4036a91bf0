"""Cases, their volante rounds, FURs, reviews, attachments and notes (DOMAIN.md §4-§5)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    literal_column,
    text,
)
from sqlalchemy import false as sa_false
from sqlalchemy.dialects import postgresql  # noqa: F401  (registers func.to_tsvector's construct)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from core.enums import OPEN_STATUSES, VolanteStatus
from core.models._types import UTCDateTime, postgresql_only, utcnow

# The back-office queue's default list is the open work, a few percent of the cases: partial
# indexes over it (migration 0023) give its pages, orders and counts without reading the
# closed history. backoffice.queue writes the same predicates as literals, so the planner can
# prove them whatever plan it caches.
OPEN_WORK = text("status IN ({})".format(", ".join(f"'{s}'" for s in sorted(OPEN_STATUSES))))
RUNNING_ROUND = text(f"status = '{VolanteStatus.ABIERTO}' AND paused_at IS NULL")


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("canal", "external_ref", name="uq_cases_canal_external_ref"),
        Index("ix_cases_estado_status", "estado_clave", "status"),
        Index("ix_cases_created_at", "created_at"),
        # back-office queue: an enlace's newest cases; phone search (migration 0006). The
        # search box's full-text and phone-suffix indexes follow the class (PostgreSQL only).
        Index("ix_cases_estado_created_at", "estado_clave", "created_at"),
        Index("ix_cases_contacto_telefono", "contacto_telefono"),
        # possible duplicates by CURP (core.duplicates, migration 0011)
        Index("ix_cases_curp", "curp"),
        # the monthly report (migration 0021): the trend counts cases registered per month from the
        # index alone (covering), one state's report finds its cases closed in the month
        Index("ix_cases_created_status_estado", "created_at", "status", "estado_clave"),
        Index("ix_cases_estado_closed_at", "estado_clave", "closed_at"),
        # the queue's open work (migration 0023): newest or oldest first, nationally and per
        # estado; and each open case's current round, for the overdue count and the due-date order
        Index("ix_cases_open_created", "created_at", "id", postgresql_where=OPEN_WORK, sqlite_where=OPEN_WORK),
        Index("ix_cases_open_estado_created", "estado_clave", "created_at", "id", postgresql_where=OPEN_WORK,
              sqlite_where=OPEN_WORK),
        Index("ix_cases_open_volante", "estado_clave", "current_volante_id", "status", "created_at", "id",
              postgresql_where=OPEN_WORK, sqlite_where=OPEN_WORK),
        # the queue's due-date order over the open work, nationally and per estado (migration 0025)
        Index("ix_cases_open_due", "current_due_date", "id", postgresql_where=OPEN_WORK, sqlite_where=OPEN_WORK),
        Index("ix_cases_open_estado_due", "estado_clave", "current_due_date", "id", postgresql_where=OPEN_WORK,
              sqlite_where=OPEN_WORK),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    folio: Mapped[str] = mapped_column(String(20), unique=True)
    tipo: Mapped[str] = mapped_column(String(32), index=True)
    canal: Mapped[str] = mapped_column(String(16), index=True)
    estado_clave: Mapped[str | None] = mapped_column(ForeignKey("estados.clave"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    # The latest volante round, kept by the services so lists join one row per case cheaply.
    # A plain indexed id (no foreign key) so cases and volantes keep a single join path.
    current_volante_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # That round's due date (Volante.due_date), copied so the queue sorts by it from an index of
    # cases alone; kept on every flush by core.models.current_due (migration 0025). NULL: no round.
    current_due_date: Mapped[date | None] = mapped_column(Date)
    amerita_gestion: Mapped[bool | None] = mapped_column(Boolean)
    description: Mapped[str] = mapped_column(Text, default="")
    unidad: Mapped[str | None] = mapped_column(String(300))
    fecha_hechos: Mapped[date | None] = mapped_column(Date)
    fecha_hechos_texto: Mapped[str | None] = mapped_column(String(100))
    monto: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    concepto: Mapped[str | None] = mapped_column(String(300))
    curp: Mapped[str | None] = mapped_column(String(18))
    contacto_nombre: Mapped[str | None] = mapped_column(String(200))
    contacto_telefono: Mapped[str | None] = mapped_column(String(32))
    contacto_email: Mapped[str | None] = mapped_column(String(254))
    external_ref: Mapped[str | None] = mapped_column(String(100))
    topic: Mapped[str | None] = mapped_column(String(300))
    # What the search box looks in: description, unidad, concepto, the FURs' texts and the notes,
    # folded (no accents, lower case). Kept by core.models.search_text on every flush.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    satisfaction_comment: Mapped[str | None] = mapped_column(Text)
    satisfaction_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    anonymized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Optimistic concurrency (core.versions): bumped by every staff-visible change, carried by
    # the case page's forms so a stale form is refused and shown what changed.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The case's round: 1, then 2, 3... after each reopening (core.services.reopen); volantes carry theirs.
    ronda: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Duplicates (core.duplicates): the case this one was merged into, and the earlier case it
    # resembled when it was registered. Plain indexed ids, like current_volante_id.
    merged_into_id: Mapped[int | None] = mapped_column(Integer, index=True)
    possible_duplicate_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Confidential report (docs/confidential.md): the affiliate asked that the unit not learn who
    # they are; name, phone, e-mail, CURP and their own words are shown to Vinculación only.
    confidencial: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    # The public follow page's secret code (core.follow), argon2-hashed; shown once at registration.
    follow_code_hash: Mapped[str | None] = mapped_column(String(128))

    contact = relationship("Contact")
    estado = relationship("Estado")
    volantes: Mapped[list[Volante]] = relationship(
        back_populates="case", order_by="Volante.numero", cascade="all, delete-orphan"
    )

    @property
    def open_volante(self) -> Volante | None:
        for v in reversed(self.volantes):
            if v.status in ("abierto", "respondido"):
                return v
        return None


class Volante(Base):
    """One turn of a case to an enlace; sending back opens the next one."""

    __tablename__ = "volantes"
    __table_args__ = (
        UniqueConstraint("case_id", "numero", name="uq_volantes_case_numero"),
        Index("ix_volantes_estado_status_due", "estado_clave", "status", "due_date"),
        Index("ix_volantes_sent_at", "sent_at"),
        # one state's monthly report: volantes by the case's current estado as well as their own
        # (a bitmap OR of the two instead of reading every volante; migration 0021)
        Index("ix_volantes_case_estado_clave", "case_estado_clave"),
        # rounds whose clock runs, by due date: the queue's overdue count and filter (migration 0023)
        Index("ix_volantes_running_due", "due_date", "id", postgresql_where=RUNNING_ROUND,
              sqlite_where=RUNNING_ROUND),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    numero: Mapped[int] = mapped_column(Integer)
    estado_clave: Mapped[str] = mapped_column(ForeignKey("estados.clave"))
    enlace_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    instructions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), index=True)
    plazo_dias: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pause_reason: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    turned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ronda: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # For the monthly report (core.reports.figures), kept by core.services.cases when the volante
    # opens, when its FUR is filed and when the case is reassigned (migration 0016): the case's
    # canal and tipo (they never change) and its current estado, so no figure joins every case;
    # whether this volante's FUR was the case's first answer ("días a la primera respuesta"
    # counts from it); and the first volante of its round ("días a la conclusión" counts from
    # that one's sent_at).
    canal: Mapped[str | None] = mapped_column(String(16))
    tipo: Mapped[str | None] = mapped_column(String(32))
    case_estado_clave: Mapped[str | None] = mapped_column(String(2))
    first_answer: Mapped[bool] = mapped_column(Boolean, default=False, server_default=literal_column("false"))
    round_first_id: Mapped[int | None] = mapped_column(Integer)
    # The national review's clock (core.review_clock, migration 0018): the day Vinculación should
    # have reviewed this round's FUR by, set when it is filed (core.plazos.review_plazo business days).
    review_due_date: Mapped[date | None] = mapped_column(Date, index=True)
    # What the monthly report reads of this volante's FUR, copied when it is filed
    # (core.services.fur.save_fur; a filed FUR is never edited, a sent-back round gets a new
    # volante and FUR) so no report statement joins every FUR (migration 0020): who filed it (the
    # per-enlace figures), its resultado and amounts (conclusions, cobros). NULL until filed.
    fur_filed_by_id: Mapped[int | None] = mapped_column(Integer)
    fur_resultado: Mapped[str | None] = mapped_column(String(16))
    fur_monto_reclamado: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    fur_monto_reembolsado: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))

    case: Mapped[Case] = relationship(back_populates="volantes")
    enlace = relationship("User", foreign_keys=[enlace_id])
    fur: Mapped[Fur | None] = relationship(back_populates="volante", uselist=False)
    reviews: Mapped[list[Review]] = relationship(back_populates="volante", order_by="Review.id")


class Fur(Base):
    """Formato Único de Respuesta: the enlace's answer to one volante."""

    __tablename__ = "furs"

    id: Mapped[int] = mapped_column(primary_key=True)
    volante_id: Mapped[int] = mapped_column(ForeignKey("volantes.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    fecha_respuesta: Mapped[date | None] = mapped_column(Date)
    acciones: Mapped[str | None] = mapped_column(Text)
    respuesta_ciudadano: Mapped[str | None] = mapped_column(Text)
    resultado: Mapped[str | None] = mapped_column(String(16))
    monto_reclamado: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    monto_reembolsado: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    fecha_reembolso: Mapped[date | None] = mapped_column(Date)
    is_draft: Mapped[bool] = mapped_column(Boolean, default=True)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Optimistic concurrency of the draft (core.versions): who saved it last, and how many times.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    volante: Mapped[Volante] = relationship(back_populates="fur")
    filed_by = relationship("User", foreign_keys=[filed_by_id])
    updated_by = relationship("User", foreign_keys=[updated_by_id])


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    volante_id: Mapped[int] = mapped_column(ForeignKey("volantes.id"), index=True)
    fur_id: Mapped[int] = mapped_column(ForeignKey("furs.id"))
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    volante: Mapped[Volante] = relationship(back_populates="reviews")
    reviewer = relationship("User")


class Reopening(Base):
    """A closed case opened again for a new round (core.services.reopen): by the affiliate or by
    vinculación, with the reason. Counted by the monthly report on `created_at`."""

    __tablename__ = "reopenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    ronda: Mapped[int] = mapped_column(Integer)  # the round it opened (2, 3, ...)
    from_status: Mapped[str] = mapped_column(String(16))
    by_affiliate: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # the closure it undid: the report keeps counting that conclusion or attention in its month
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class Attachment(Base):
    """A stored file: evidence on a FUR, a receipt photo from a message, an oficio scan."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    fur_id: Mapped[int | None] = mapped_column(ForeignKey("furs.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer, default=0)
    storage_key: Mapped[str | None] = mapped_column(String(255))  # relative path under the instance dir
    url: Mapped[str | None] = mapped_column(String(1000))  # remote media (Twilio MediaUrl)
    sha256: Mapped[str | None] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Note(Base):
    """Internal note on a case; never shown to the affiliate."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author = relationship("User")


# The back-office search box (core.search, migrations 0008 and 0024): words in the case's search
# text (Spanish full-text: on PostgreSQL a stored, generated column cases.search_tsv with its GIN
# index, which the models leave unmapped, core.migrate.UNMAPPED_POSTGRESQL) and phones by their
# last digits (trigrams).
postgresql_only(Case.__table__, Index(
    "ix_cases_contacto_telefono_trgm", Case.contacto_telefono, postgresql_using="gin",
    postgresql_ops={"contacto_telefono": "gin_trgm_ops"}))
