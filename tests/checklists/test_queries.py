"""What pickers offer (`queries.usable`): the newest published revision of each line."""

from dudao.accounts import scoping
from dudao.checklists import queries, services, shipped


def test_usable_offers_the_newest_published_revision(world, draft, builtin):
    services.publish(world.admin, draft)
    second = services.new_revision(world.admin, draft)
    visible = scoping.checklists_for(world.inspector_user)
    offered = list(queries.usable(visible, purpose="campaign"))
    own = [c for c in offered if c.office_id]
    assert [(c.key, c.revision) for c in own] == [(draft.key, 1)]  # the draft is not offered
    services.publish(world.admin, second)
    own = [c for c in queries.usable(visible, purpose="campaign") if c.office_id]
    assert [(c.key, c.revision) for c in own] == [(draft.key, 2)]
    keys = {c.key for c in offered if c.office_id is None}
    assert shipped.SHUANGJIAN in keys and shipped.SHUANGJIAN_RETURN not in keys
    returns = queries.usable(visible, purpose="return")
    assert [c.key for c in returns] == [shipped.SHUANGJIAN_RETURN]


def test_another_county_s_checklists_are_not_offered(world, draft):
    services.publish(world.admin, draft)
    offered = queries.usable(scoping.checklists_for(world.other_admin))
    assert draft.pk not in {c.pk for c in offered}


def test_retired_revisions_are_not_offered(world, draft):
    services.publish(world.admin, draft)
    services.retire(world.admin, draft)
    offered = queries.usable(scoping.checklists_for(world.admin))
    assert draft.pk not in {c.pk for c in offered}
