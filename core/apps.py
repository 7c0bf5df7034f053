from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _watch_after_migrate(sender, using, **kwargs):
    # Not at the top: an AppConfig module is imported before the models are ready.
    from core.changes import data_changes_install  # noqa: PLC0415

    data_changes_install(using=using)


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        # Infrastructure, not a business rule: keep the data version's triggers on every watched
        # table (core.changes), as audit keeps its append-only ones.
        post_migrate.connect(_watch_after_migrate, sender=self, dispatch_uid="core_data_changes_install")
