from rest_framework.routers import SimpleRouter


class ApiRouter(SimpleRouter):
    """Paths as docs/api.md writes them, without a trailing slash; one is accepted too, so that a
    write is never redirected."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"
