"""All mapped classes, importable from one place."""

# kept on every flush: cases.current_due_date, cases.search_text
from core.models import current_due, search_text  # noqa: F401
from core.models.canned import CannedResponse
from core.models.cases import Attachment, Case, Fur, Note, Reopening, Review, Volante
from core.models.deliveries import ReportDelivery
from core.models.info_requests import InfoRequest
from core.models.messages import Message
from core.models.outbox import OutboxJob
from core.models.padron import PadronAfiliado
from core.models.people import Contact, Estado, User
from core.models.reports import BusinessDay, ReportRollup, ReportRollupMonth
from core.models.system import (
    AuditEvent,
    AuditIsAppendOnly,
    FolioCounter,
    Holiday,
    Notification,
    ReportSnapshot,
    Setting,
    WorkerHeartbeat,
)

__all__ = [
    "Attachment", "AuditEvent", "AuditIsAppendOnly", "BusinessDay", "CannedResponse", "Case", "Contact", "Estado", "FolioCounter",
    "Fur", "Holiday", "InfoRequest", "Message", "Note", "Notification", "OutboxJob", "PadronAfiliado", "Reopening", "ReportDelivery", "ReportRollup", "ReportRollupMonth", "ReportSnapshot", "Review", "Setting",
    "User", "Volante", "WorkerHeartbeat",
]
