"""The office's own settings, edited by its office admin (dudao/core/guards.py)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from dudao.audit import services as audit
from dudao.core import guards
from dudao.core.errors import DomainError

from .models import Office

# What the office admin edits: the contacts the public sees (the school's public page and
# the signboards). The name, region and document prefix stay with the superuser (Django admin).
CONTACT_FIELDS = ["hotline", "public_phone", "email", "address"]


@transaction.atomic
def update_office_contacts(actor, office: Office, **data) -> Office:
    office = Office.objects.select_for_update().get(pk=office.pk)
    guards.require_office_admin(actor, office)
    before = audit.snapshot(office)
    for key, value in data.items():
        if key in CONTACT_FIELDS:
            setattr(office, key, (value or "").strip())
    try:
        office.full_clean(
            exclude=[f.name for f in Office._meta.fields if f.name not in CONTACT_FIELDS]
        )
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=field) from None
    office.save(update_fields=CONTACT_FIELDS)
    audit.record_update(actor, office, before)
    return office
