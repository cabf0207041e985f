import pytest

from .helpers import make_questionnaire, make_survey, questions


@pytest.fixture
def questionnaire(world):
    return make_questionnaire(world.admin)


@pytest.fixture
def q(questionnaire):
    return questions(questionnaire)


@pytest.fixture
def survey(world, questionnaire):
    """County A's open survey at `school`, `zone_school` and `far_school`, minimum 3."""
    return make_survey(world, questionnaire)
