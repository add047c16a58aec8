"""Sessions in the database, read with one plain SELECT.

Every signed-in request reads its session row. Through the ORM that lookup spends
about 0.2 ms building the query, ten times what the database takes to answer it
(bench/profile_page.py /bench/bare). Only reading changes: the row is still read on
every request, so a sign-out, expiry or "sign out everywhere" on any worker is seen
by all of them at once; writes stay Django's own.
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self) -> dict:
        key = self.session_key  # None if the cookie's key is malformed
        if key is None:
            return {}
        connection = connections[router.db_for_read(self.model)]
        quote = connection.ops.quote_name
        sql = (
            f"SELECT {quote('session_data')} FROM {quote(self.model._meta.db_table)}"  # noqa: S608 (names from the model; values are parameters)
            f" WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's store does: a new session starts
            return {}
        return self.decode(row[0])
