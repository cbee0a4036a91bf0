"""Domain errors carry a Spanish message fit to show a user."""


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class IllegalTransition(DomainError):
    code = "illegal_transition"


class PermissionDenied(DomainError):
    code = "permission_denied"


class ValidationError(DomainError):
    code = "validation_error"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.fields = fields or {}


class NotFound(DomainError):
    code = "not_found"
