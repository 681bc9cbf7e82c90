"""The session store: Django's database sessions, with the look-up every request makes prepared.

Writes (creating, renewing, ending a session) stay Django's own. Only the read that every signed-in
request starts with runs as a ``core.prepared.PreparedQuery``, because compiling it cost several
times more than running it. Set as ``SESSION_ENGINE``.
"""

import datetime

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone

from schutznetz.core.prepared import PreparedQuery


def _live_session(key, now):
    return SessionStore.get_model_class().objects.filter(session_key=key, expire_date__gt=now)


_LIVE_SESSION = PreparedQuery(
    _live_session,
    key="\u2063prepared-session-key\u2063",
    now=datetime.datetime(1970, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC),
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        """The live session row for this key, or None (then the key is dropped, as Django does)."""
        session = _LIVE_SESSION.first(key=self.session_key, now=timezone.now())
        if session is None:
            self._session_key = None
        return session
