"""python manage.py api_key_create --user USERNAME --scope SCOPE --name NAME [--expires YYYY-MM-DD]:
make an API key and print it, once (only its hash is stored)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api.scopes import Scope
from api.services import api_key_create
from core.errors import DomainError
from people.models import User


class Command(BaseCommand):
    help = "Make an API key for an account, with one scope, and print it once."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="The username of the account the key acts as.")
        parser.add_argument("--scope", required=True, choices=Scope.values)
        parser.add_argument("--name", required=True, help="Who uses the key and for what (50 characters at most).")
        parser.add_argument("--expires", help="The last day it works (YYYY-MM-DD); by default it does not expire.")

    def handle(self, *args, user, scope, name, expires=None, **options):
        try:
            account = User.objects.get(username=user)
        except User.DoesNotExist:
            raise CommandError(f"There is no user called {user!r}.") from None
        expires_at = None
        if expires:
            try:
                day = dt.date.fromisoformat(expires)
            except ValueError:
                raise CommandError(f"--expires {expires!r} is not a date like 2027-03-31.") from None
            expires_at = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
        try:
            key, secret = api_key_create(name=name, user=account, scope=scope, by=None, expires_at=expires_at)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stderr.write(
            f"Made {key.label} for {account.username}, scope {key.scope}. The key is below, shown this once only:"
        )
        self.stdout.write(secret)
