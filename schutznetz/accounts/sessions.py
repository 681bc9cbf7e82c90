"""The session store: Django's database sessions, with the look-up every request makes prepared.

Writes (creating, renewing, ending a session) stay Django's own. Only the read that every signed-in
request starts with runs as a ``core.prepared.PreparedQuery``, because compiling it cost several
times more than running it. The same statement reads the database's change version
(``core.data_version``): the page cache and the signed-in user's row (``accounts.backends``) are
reused only while it is unchanged, and reading it here costs no query of its own. Set as
``SESSION_ENGINE``.
"""

import datetime

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone

from schutznetz.core import data_version
from schutznetz.core.prepared import PreparedQuery


def _live_session(key, now):
    live = SessionStore.get_model_class().objects.filter(session_key=key, expire_date__gt=now)
    return data_version.read_with(live)


_LIVE_SESSION = PreparedQuery(
    _live_session,
    checks_connection=True,  # the first query of every signed-in request
    key="\u2063prepared-session-key\u2063",
    now=datetime.datetime(1970, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC),
)


class SessionStore(DatabaseSessionStore):
    # The database's change version, read with the session; None until a live session was loaded.
    data_version = None

    def _get_session_from_db(self):
        """The live session row for this key, or None (then the key is dropped, as Django does)."""
        session = _LIVE_SESSION.first(key=self.session_key, now=timezone.now())
        if session is None:
            self._session_key = None
        else:
            self.data_version = data_version.from_instance(session, using=_LIVE_SESSION.using)
        return session
