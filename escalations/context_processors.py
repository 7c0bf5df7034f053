"""What awaits the signed-in person, counted for the navigation. Lazy: counted only when the
menu is made, not when it is read back from the kept header (``templates/base.html``)."""

from django.utils.functional import SimpleLazyObject

from escalations.selectors import escalation_awaiting_count


def awaiting(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"awaiting_count": SimpleLazyObject(lambda: escalation_awaiting_count(user=user))}
