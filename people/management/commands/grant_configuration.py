"""python manage.py grant_configuration USERNAME: let an IRO service manager configure the ladder,
themes, teams, users and closure days in the admin."""

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from people.models import User
from people.services import user_grant_configuration


class Command(BaseCommand):
    help = "Give an IRO service manager the admin pages for the ladder, themes, teams, users and closure days."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = user_grant_configuration(user=User.objects.get(username=username))
        except User.DoesNotExist:
            raise CommandError(f"There is no user called {username!r}.") from None
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{user.username} can now configure the service at /admin/.")
