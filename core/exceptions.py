class PortalError(Exception):
    """An expected failure of an outside system; its message is shown to the user."""

    default_message = "Something went wrong. Please try again."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
