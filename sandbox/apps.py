from django.apps import AppConfig


class SandboxConfig(AppConfig):
    """The Letzshop stand-in: a server of its own, installed only for its management command.

    It imports nothing of the domain apps; they never import it (the tests, the demo and the
    benchmarks do)."""

    name = "sandbox"
    verbose_name = "Letzshop sandbox"
