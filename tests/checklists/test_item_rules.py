"""What an item must be to be published (`services.check_item`) and how an answer is judged
(`ChecklistItem.assess`) for every answer type."""

from decimal import Decimal

import pytest

from dudao.checklists import services
from dudao.checklists.models import ChecklistItem


def problems(**values):
    clean = services.clean_item_values({"question": "问题", **values})
    return {field for field, _message in services.check_item(clean)}


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        ({"answer_type": "yes_no", "compliant": [True]}, set()),
        ({"answer_type": "yes_no", "compliant": [False]}, set()),
        ({"answer_type": "yes_no"}, set()),
        ({"answer_type": "yes_no", "compliant": [True, False]}, {"compliant"}),
        ({"answer_type": "yes_no", "compliant": ["是"]}, {"compliant"}),
        ({"answer_type": "level", "choices": ["好", "差"], "compliant": ["好"]}, set()),
        ({"answer_type": "level"}, {"choices"}),
        ({"answer_type": "choice", "choices": ["甲"]}, {"choices"}),
        ({"answer_type": "choice", "choices": ["甲", "甲"]}, {"choices"}),
        ({"answer_type": "choice", "choices": ["甲", "乙"], "compliant": ["丙"]}, {"compliant"}),
        ({"answer_type": "number", "standard_min": 1, "standard_max": 2}, set()),
        ({"answer_type": "number", "standard_min": 3, "standard_max": 2}, {"standard_max"}),
        ({"answer_type": "number", "compliant": ["1"]}, {"compliant"}),
        ({"answer_type": "number", "standard_max": "abc"}, {"standard_max"}),
        ({"answer_type": "text", "standard_max": 3}, {"standard_max"}),
        ({"answer_type": "text", "choices": ["甲", "乙"]}, {"choices"}),
        ({"answer_type": "photo", "compliant": ["x"]}, {"compliant"}),
        ({"answer_type": "text", "school_types": ["primary", "university"]}, {"school_types"}),
        ({"answer_type": "text", "supervision_item": 14}, {"supervision_item"}),
        ({"answer_type": "text", "supervision_item": 13}, set()),
        ({"answer_type": "sometimes"}, {"answer_type"}),
        ({"answer_type": "text", "question": ""}, {"question"}),
    ],
)
def test_check_item(values, fields):
    assert problems(**values) == fields


def item(**fields):
    return ChecklistItem(question="q", **fields)


@pytest.mark.parametrize(
    ("fields", "answers"),
    [
        ({"answer_type": "yes_no", "compliant": [True]}, {True: True, False: False, None: None}),
        ({"answer_type": "yes_no", "compliant": [False]}, {True: False, False: True}),
        ({"answer_type": "yes_no", "compliant": []}, {True: None, False: None}),
        (
            {
                "answer_type": "level",
                "choices": ["好", "较好", "一般", "差"],
                "compliant": ["好", "较好"],
            },
            {"好": True, "较好": True, "一般": False, "差": False, "": None},
        ),
        (
            {"answer_type": "choice", "choices": ["甲", "乙"], "compliant": ["乙"]},
            {"甲": False, "乙": True},
        ),
        (
            {"answer_type": "number", "standard_max": Decimal("60")},
            {55: True, 60: True, "60.0": True, 61: False, "x": None, None: None},
        ),
        (
            {"answer_type": "number", "standard_min": Decimal("2")},
            {1.5: False, 2: True, "2.5": True},
        ),
        (
            {"answer_type": "number", "standard_min": Decimal("1"), "standard_max": Decimal("2")},
            {0: False, 1: True, 2: True, 3: False},
        ),
        ({"answer_type": "number"}, {5: None}),
        ({"answer_type": "text"}, {"好": None}),
        ({"answer_type": "photo"}, {"files/x.jpg": None}),
    ],
)
def test_assess(fields, answers):
    row = item(**fields)
    for value, expected in answers.items():
        assert row.assess(value) is expected, (fields, value)


def test_applies_to():
    assert item(school_types=[]).applies_to("kindergarten")
    assert item(school_types=["primary"]).applies_to("primary")
    assert not item(school_types=["primary"]).applies_to("junior")
