"""Sign-in backends whose per-request user lookup is one plain SELECT.

Every signed-in request loads its user by primary key; through the ORM most of that
time is query building, not the database (see accounts/sessions.py). The user is
still read on every request, so a deactivated account or a changed password ends
the session at once on every worker.
"""

from functools import cache

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends, get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, router


@cache
def _select_user(alias: str) -> tuple[str, list[str]]:
    """The SELECT and the attribute names it fills, worked out once per database."""
    meta = get_user_model()._meta
    quote = connections[alias].ops.quote_name
    fields = meta.concrete_fields
    sql = (
        f"SELECT {', '.join(quote(field.column) for field in fields)}"  # noqa: S608 (names from the model; values are parameters)
        f" FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = %s"
    )
    return sql, [field.attname for field in fields]


def user_by_pk(user_id):
    """The user whose primary key is `user_id` (as a session stores it), or None."""
    User = get_user_model()
    meta = User._meta
    try:
        pk = meta.pk.to_python(user_id)
    except ValidationError:
        return None
    alias = router.db_for_read(User)
    connection = connections[alias]
    sql, attnames = _select_user(alias)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, [pk])
            row = cursor.fetchone()
    except OverflowError:  # SQLite, given a number no row could have; the ORM says none
        return None
    if row is None:
        return None
    values = []
    for value, field in zip(row, meta.concrete_fields, strict=True):
        # What the ORM would do with the column: SQLite's dates and booleans, say.
        column = field.get_col(meta.db_table)
        for convert in connection.ops.get_db_converters(column) + field.get_db_converters(
            connection
        ):
            value = convert(value, column, connection)
        values.append(value)
    return User.from_db(alias, attnames, values)


class FastUserLookup:
    def get_user(self, user_id):
        user = user_by_pk(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(FastUserLookup, backends.ModelBackend):
    """Django's: sign-in by username (the admin)."""


class AuthenticationBackend(FastUserLookup, allauth_backends.AuthenticationBackend):
    """allauth's: sign-in by email."""
