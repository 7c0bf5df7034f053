"""The audit app has no tables of its own: the audit trail is django-simple-history's historical
tables, one per audited model. (This module exists so Django sends ``post_migrate`` to the app,
which installs the append-only triggers: see ``audit.apps``.)"""
