"""The data migration that made shares belong to the link (course 0006-0008)."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0004_shared_cache_table"), ("course", "0005_content_revision")]
AFTER = [("accounts", "0005_user_progress_shown"), ("course", "0008_drop_share_flags")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest():
    """Leave the test database as every other test expects it: fully migrated."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest")
def test_todays_shares_move_to_the_current_link_and_unlinked_ones_become_private():
    old = migrate(BEFORE)
    User, Couple, Membership = (
        old.get_model("accounts", n) for n in ("User", "Couple", "Membership")
    )
    Stage, Lesson, Prompt = (old.get_model("course", n) for n in ("Stage", "Lesson", "Prompt"))
    Answer, CheckIn, Commitment = (
        old.get_model("course", n) for n in ("Answer", "CheckIn", "Commitment")
    )
    alice, bob, carol = (
        User.objects.create(email=f"{name}@example.com", display_name=name)
        for name in ("alice", "bob", "carol")
    )
    couple = Couple.objects.create()
    Membership.objects.create(user=alice, couple=couple)
    Membership.objects.create(user=bob, couple=couple)
    stage = Stage.objects.create(slug="s", title="S", order=1)
    lesson = Lesson.objects.create(slug="l", stage=stage, title="L", summary="", order=1)
    prompt = Prompt.objects.create(slug="p", lesson=lesson, text="?", text_html="?", order=1)
    Answer.objects.create(author=alice, prompt=prompt, text="", sharing="when_both")
    Answer.objects.create(author=carol, prompt=prompt, text="", sharing="shared")
    day = datetime.date(2026, 11, 1)
    scores = dict.fromkeys(
        ("says", "follows", "seeks", "priority", "avoids", "works", "invests"), 3
    )
    CheckIn.objects.create(author=alice, taken_on=day, shared=True, note_shared=True, **scores)
    CheckIn.objects.create(author=carol, taken_on=day, shared=True, note_shared=True, **scores)
    Commitment.objects.create(author=alice, text="", due_on=day, shared=True)
    Commitment.objects.create(
        author=alice, text="", due_on=day, shared=True, status="proposed", proposed_by=bob
    )
    Commitment.objects.create(
        author=carol, text="", due_on=day, shared=True, status="proposed", proposed_by=bob
    )

    new = migrate(AFTER)
    Answer, CheckIn, Commitment = (
        new.get_model("course", n) for n in ("Answer", "CheckIn", "Commitment")
    )
    answers = {a.author.display_name: a for a in Answer.objects.all()}
    assert (answers["alice"].sharing, answers["alice"].shared_with_id) == ("when_both", couple.pk)
    assert (answers["carol"].sharing, answers["carol"].shared_with_id) == ("private", None)
    checkins = {c.author.display_name: c for c in CheckIn.objects.all()}
    assert (checkins["alice"].shared_with_id, checkins["alice"].note_shared) == (couple.pk, True)
    assert (checkins["carol"].shared_with_id, checkins["carol"].note_shared) == (None, False)
    kept = sorted(
        (c.author.display_name, c.status, c.shared_with_id, c.proposed_in_id)
        for c in Commitment.objects.all()
    )
    # carol's proposal from bob had no link between them: it goes.
    assert kept == [("alice", "open", couple.pk, None), ("alice", "proposed", couple.pk, couple.pk)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest")
def test_a_we_rating_becomes_the_self_column_and_the_spouse_column_stays_empty():
    """course 0014_checkins_rate_self_and_spouse: nothing dropped, nothing invented."""
    accounts = ("accounts", "0008_reminder")
    old = migrate([accounts, ("course", "0013_agreements")])
    User, Couple = old.get_model("accounts", "User"), old.get_model("accounts", "Couple")
    CheckIn = old.get_model("course", "CheckIn")
    alice = User.objects.create(email="alice@example.com", display_name="alice")
    couple = Couple.objects.create()
    keys = ("says", "follows", "seeks", "priority", "avoids", "works", "invests")
    CheckIn.objects.create(
        author=alice,
        taken_on=datetime.date(2026, 11, 1),
        note="Kept.",
        shared_with=couple,
        note_shared=True,
        **dict(zip(keys, (1, 2, 3, 4, 5, 4, 3), strict=True)),
    )

    new = migrate([accounts, ("course", "0014_checkins_rate_self_and_spouse")])
    (moved,) = new.get_model("course", "CheckIn").objects.all()
    assert [getattr(moved, f"self_{key}") for key in keys] == [1, 2, 3, 4, 5, 4, 3]
    assert [getattr(moved, f"spouse_{key}") for key in keys] == [None] * 7
    assert (moved.note, moved.shared_with_id, moved.note_shared) == ("Kept.", couple.pk, True)
