"""A model change without its migration fails the suite (and so CI), as
`manage.py makemigrations --check` would."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    out = StringIO()
    try:
        call_command(
            "makemigrations", "--check", "--dry-run", "--verbosity", "3", stdout=out, stderr=out
        )
    except SystemExit as exit_:
        pytest.fail(
            f"Models have changes that are not in a migration (exit {exit_.code}); run "
            "`python manage.py makemigrations` and commit the result:\n" + out.getvalue()
        )
