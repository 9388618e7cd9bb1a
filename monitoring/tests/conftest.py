# The Letzshop fixtures, for tests that watch the integration work.
from letzshop.tests.conftest import sandbox_store  # noqa: F401
