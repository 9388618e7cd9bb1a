from django.core.management.base import BaseCommand

from letzshop.crypto import generate_key
from letzshop.services.credentials import credentials_rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored Letzshop API key with the first key of LETZSHOP_ENCRYPTION_KEYS "
        "(keep the old keys after it until this has run). --generate prints a new key instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--generate", action="store_true", help="print a new Fernet key and exit")

    def handle(self, *args, generate: bool, **options):
        if generate:
            self.stdout.write(generate_key())
            return
        rotated, unreadable = credentials_rotate_all()
        self.stdout.write(f"Re-encrypted {rotated} API key(s) with the current first key.")
        if unreadable:
            self.stderr.write(
                self.style.ERROR(
                    f"{unreadable} key(s) could not be decrypted with any configured key and were left as they are: "
                    "add the key they were encrypted with to LETZSHOP_ENCRYPTION_KEYS, or enter those API keys again."
                )
            )
            raise SystemExit(1)
