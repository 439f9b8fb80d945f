"""Domain errors shared by every app's services; the API maps each one to its HTTP status."""


class ConflictError(Exception):
    """A write refused because of the state of other data, not because of its own input (HTTP 409).

    A `ValidationError` (400) says "this input is wrong"; a `ConflictError` says "this cannot be done
    to the object as it stands", e.g. deleting a project that already has capital deliveries. Like a
    `ValidationError` it carries a message for the user and a code for clients.
    """

    def __init__(self, message: str, *, code: str = "conflict"):
        super().__init__(message)
        self.message = message
        self.code = code

    @property
    def messages(self) -> list[str]:
        return [self.message]
