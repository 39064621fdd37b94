"""Moved to tests/support/console_forms.py; kept for the modules still importing it from here."""
from tests.support.console_forms import console_client, form_token, post_form  # noqa: F401
