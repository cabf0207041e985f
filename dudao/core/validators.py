"""Validators shared by every app: the national school code (学校标识码) and Chinese phone
numbers (mobile or landline). Migrations store them by value, so they can live here."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# 学校标识码: the national 10-digit school identifier.
school_code_validator = RegexValidator(
    r"^\d{10}$", _("The school code (学校标识码) must be exactly 10 digits.")
)
phone_validator = RegexValidator(
    r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$",
    _("Enter a valid phone number: an 11-digit mobile number or a landline such as 0571-88888888."),
)
