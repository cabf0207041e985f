from dudao.core.errors import DomainError


def apply_domain_error(form, error: DomainError) -> None:
    """Show a service's refusal on the form field it concerns (or on the whole form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))
