"""Domain errors: raised by service functions, shown to the user as they are (translated)."""


class DomainError(Exception):
    """A refused action with a message the user can act on. `field` names the form field the
    message belongs to, when there is one."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self):
        return str(self.message)


class StaleObject(DomainError):
    """The object changed since the user loaded it (its version is not the one they saw)."""


class IllegalTransition(DomainError):
    """The action is not possible in the object's current status (or state)."""


class NotPermitted(DomainError):
    """The user may not take this action on this object."""
