from ladder.models import LadderSettings, Stage


def ladder_settings() -> LadderSettings:
    settings, _ = LadderSettings.objects.get_or_create(id=LadderSettings.SINGLETON_ID)
    return settings


def stage_list(*, include_retired: bool = False):
    stages = Stage.objects.all()
    return stages if include_retired else stages.filter(active=True)


def stage_by_code(code: str) -> Stage:
    return Stage.objects.get(code=code)
