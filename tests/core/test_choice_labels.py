"""`ChoiceLabels.get_FOO_display()` answers exactly what Django's own does."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from dudao.core.models import ChoiceLabels

MODELS = [m for m in apps.get_models() if issubclass(m, ChoiceLabels)]


def test_the_busy_models_use_it():
    names = {m.__name__ for m in MODELS}
    assert {"Finding", "Visit", "AreaCheck", "School", "Inspector"} <= names


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_choice_and_an_unknown_value(model, language):
    fields = [f for f in model._meta.concrete_fields if f.choices]
    assert fields
    with translation.override(language):
        for field in fields:
            values = [value for value, _label in field.flatchoices]
            for value in [*values, "not-a-choice", None]:
                obj = model(**{field.attname: value})
                ours = getattr(obj, f"get_{field.name}_display")()
                django = models.Model._get_FIELD_display(obj, field)
                assert ours == django and type(ours) is type(django), (field, value)
