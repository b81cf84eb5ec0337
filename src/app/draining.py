"""Whether this process is shutting down: set by the server that stops it, read by the app."""


class Drain:
    """Starts once, when the process is told to stop, and never ends.

    While draining the app still serves everything, but readiness answers 503 (so load
    balancers stop sending here) and every response closes its connection (so clients with
    keep-alive open a new one, to an instance that is staying). A plain attribute: the
    response-headers layer reads it on every request, and a signal handler sets it.
    """

    __slots__ = ("draining",)

    def __init__(self) -> None:
        self.draining = False

    def start(self) -> None:
        self.draining = True
