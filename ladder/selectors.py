from ladder.models import LadderSettings, Stage


def ladder_settings() -> LadderSettings:
    settings, _ = LadderSettings.objects.get_or_create(id=LadderSettings.SINGLETON_ID)
    return settings


def stage_list(*, include_retired: bool = False, above: Stage | None = None) -> list[Stage]:
    """The ladder's stages, most junior first; only those more senior than ``above`` if given."""
    stages = Stage.objects.all() if include_retired else Stage.objects.filter(active=True)
    if above is not None:
        stages = stages.filter(order__gt=above.order)
    return list(stages.order_by("order"))
