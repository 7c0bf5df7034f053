"""Domain errors: refusals a user can act on.

Services raise these; views show them with the GOV.UK error pattern and commands print them and
exit non-zero. The message is written for the person who made the request.
"""


class DomainError(Exception):
    """A request the rules refuse. ``str(error)`` is the message to show."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class IllegalMove(DomainError):
    """The action is not allowed in the escalation's current state."""


class StaleUpdate(DomainError):
    """Someone else changed the record after the user read it."""


class NotPermitted(DomainError):
    """The person is not allowed to do this."""
