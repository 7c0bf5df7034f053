"""Who may use which pages, by role, and where each role starts. Which objects each person sees is
decided in the selectors (``children.selectors.child_visible_to``,
``escalations.selectors.escalation_visible_to``); ``core.access.role_required`` guards the views."""

from people.models import Role

REPORT_READERS = (Role.SERVICE_MANAGER, Role.ADMIN, Role.REPORT_VIEWER)  # the committee report
REPORT_MANAGERS = (Role.SERVICE_MANAGER, Role.ADMIN)  # issuing, case stories, imports
CASEWORKERS = (Role.IRO, Role.MANAGER, Role.SERVICE_MANAGER, Role.ADMIN)  # child and escalation pages
IRO_SIDE = (Role.IRO, Role.SERVICE_MANAGER, Role.ADMIN)  # resolve, escalate, reassign, Cafcass, withdraw
RESPONDERS = (Role.MANAGER, Role.SERVICE_MANAGER, Role.ADMIN)  # acknowledge, respond
OVERSIGHT = (Role.SERVICE_MANAGER, Role.ADMIN)  # all escalations, dashboard, access log

# Where each role starts: the page they use most.
START_PAGES = {
    Role.IRO: "children:list",
    Role.MANAGER: "escalations:inbox",
    Role.SERVICE_MANAGER: "dashboard",
    Role.ADMIN: "dashboard",
    Role.REPORT_VIEWER: "reports:page",
}
