"""The order import lives in ``letzshop/imports/`` (docs/import.md); its public names are also
found here, where callers have always imported them."""

from letzshop.imports import *  # noqa: F403
from letzshop.imports import __all__  # noqa: F401
