from workdays.clock import WorkingCalendar
from workdays.models import ClosureDay


def working_calendar() -> WorkingCalendar:
    """The working calendar with the council's closure days, read once."""
    return WorkingCalendar(ClosureDay.objects.values_list("date", flat=True))
