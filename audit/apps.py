from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _protect_after_migrate(sender, using, **kwargs):
    # Not at the top: an AppConfig module is imported before the models are ready.
    from audit.services import audit_protect_tables  # noqa: PLC0415

    audit_protect_tables(using=using)


class AuditConfig(AppConfig):
    name = "audit"

    def ready(self):
        # Infrastructure, not a business rule: keep the database's append-only triggers in place.
        post_migrate.connect(_protect_after_migrate, sender=self, dispatch_uid="audit_protect_tables")
