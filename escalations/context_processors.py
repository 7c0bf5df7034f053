"""What awaits the signed-in person, counted for the navigation (one query a page)."""

from escalations.selectors import escalation_awaiting_count


def awaiting(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"awaiting_count": escalation_awaiting_count(user=user)}
