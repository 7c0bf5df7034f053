"""python manage.py api_key_revoke PREFIX: revoke an API key (it stops working at once, for good)."""

from django.core.management.base import BaseCommand, CommandError

from api.selectors import api_key_list
from api.services import api_key_revoke


class Command(BaseCommand):
    help = "Revoke an API key, named by its prefix (the part before the dot)."

    def add_arguments(self, parser):
        parser.add_argument("prefix")

    def handle(self, *args, prefix, **options):
        key = api_key_list().filter(prefix=prefix.split(".", 1)[0]).first()
        if key is None:
            raise CommandError(f"There is no API key with the prefix {prefix.split('.', 1)[0]!r}.")
        if key.revoked:
            raise CommandError(f"{key.label} was already revoked.")
        key = api_key_revoke(key=key, by=None)
        self.stdout.write(f"{key.label} is revoked.")
