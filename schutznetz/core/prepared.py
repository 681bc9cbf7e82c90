"""Querysets compiled once per database connection and then only run with new values.

Every signed-in request loads its session and its user, and the staff pages run the same
scoped queries with other values on every request. Django spends far more time turning these
querysets into SQL than the database spends answering them: measured in-process on SQLite, the
user with its roles took 3.0 ms, of which running the finished SQL was 0.13 ms; the case list's
page query took 7 ms to build and compile on PostgreSQL against 3 ms to run. A ``PreparedQuery``
builds its queryset once per connection, keeps the compiled SQL and the compiler, and on each
call only swaps in the values, runs the SQL and turns the rows into model instances the way
Django's ``ModelIterable`` does (converters, ``from_db``, ``select_related`` objects,
annotations), or into tuples the way ``values_list`` does.

Which parameter carries which value is found by building the queryset twice, with two sets of
stand-in values: the SQL must come out the same, and every parameter that differs between the
two must be one of the stand-ins. So a stand-in may occur several times (an organisation in
several subqueries), a constant that happens to equal a stand-in is still a constant, and a
value the query takes from elsewhere (the clock, a setting, an attribute of a user that is not
a stand-in) is refused when the query is compiled rather than frozen into it.

Written here because Django has no cache of compiled queries (django-prepared-queries, the one
library that did this, stopped at Django 1.x). It leans on the compiler's ``select``/
``klass_info``/``annotation_col_map``, which are internals: ``core/tests/test_prepared.py``
compares prepared loads with the plain ORM loads, and the apps' tests compare their prepared
pages with the ORM's, so a Django upgrade that changes them fails there, not in production.
"""

import datetime
import functools
import threading
import weakref
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, Error, connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators


@dataclass(frozen=True)
class _Compiled:
    sql: str | None  # None: the query can match nothing
    params: tuple
    positions: dict  # index in params → (name, index in a sequence value or None)
    compiler: object
    model: type | None  # None: the queryset is a values_list()
    init_list: list
    model_fields: slice
    related_populators: list
    annotation_col_map: dict
    # The converters of the selected columns, found once: Django's results_iter asks every field
    # for them on every run. None: convert through results_iter (composite keys, nothing to run).
    converters: dict | None = None

    def __post_init__(self):
        if self.sql is not None:
            fields = [column[0] for column in self.compiler.select[0 : self.compiler.col_count]]
            if not self.compiler.has_composite_fields(fields):
                object.__setattr__(self, "converters", self.compiler.get_converters(fields))


def _adapt(connection, value):
    """A value as the ORM hands it to the database driver (datetimes differ per backend)."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _sql(compiler):
    try:
        return compiler.as_sql()
    except EmptyResultSet:
        return None, []


def _alternate(value):
    """A second stand-in of the same type, different from the first."""
    if isinstance(value, bool):
        raise TypeError("PreparedQuery: Wahrheitswerte bestimmen die Form der Abfrage, nicht ihre Werte.")
    if isinstance(value, int):
        return value - 104_729
    if isinstance(value, datetime.datetime):
        return value - datetime.timedelta(seconds=1)
    if isinstance(value, datetime.date):
        return value - datetime.timedelta(days=1)
    if isinstance(value, str):
        return value + "~"
    if isinstance(value, tuple):
        return tuple(_alternate(item) for item in value)
    raise TypeError(f"PreparedQuery: kein zweiter Platzhalter für {type(value).__name__}.")


def _flat(stand_ins):
    """(name, index or None, value) for every single value of the stand-ins."""
    for name, value in stand_ins.items():
        if isinstance(value, tuple):
            for index, item in enumerate(value):
                yield name, index, item
        else:
            yield name, None, value


def _cursor(connection, plan_once=True):
    """A cursor that, on PostgreSQL, also keeps the server's plan of each prepared query.

    Compiling the SQL once does not spare PostgreSQL its planning: the start page's open actions,
    with their nested conditions of the access rules, took 4.5 ms to plan and 0.4 ms to run. Django
    binds parameters on the client, where nothing can be prepared on the server; for the queries
    here a cursor binds them on the server and asks psycopg to prepare the statement, once per
    connection. It is wrapped like Django's own cursors (query log, execute wrappers, Django's
    database errors). The server keeps one generic plan (settings: ``plan_cache_mode``), which
    suits index probes by organisation; a query whose best plan depends on its values, such as a
    date range, passes ``plan_once=False`` and is planned with its values on each run.
    ``SCHUTZNETZ_PREPARED_STATEMENTS=0`` switches this off, for a connection pooler in transaction
    mode that cannot keep prepared statements (PgBouncer before 1.21).
    """
    if not plan_once or connection.vendor != "postgresql" or not settings.SCHUTZNETZ_PREPARED_STATEMENTS:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = _server_prepared_cursor(connection)
    if connection.queries_logged:
        return _PreparedDebugWrapper(cursor, connection)
    return CursorWrapper(cursor, connection)


def _health_check_by_query(connection, read):
    """``read()``, as the request's connection health check if none ran yet (``CONN_HEALTH_CHECKS``).

    Django checks a reused connection with a ``SELECT 1`` before a request's first query, so that a
    connection the server has closed (a restart, an idle timeout) is replaced instead of failing the
    request. On a signed-in request that first query is the session look-up: here the look-up itself
    is the check. If it fails and the connection turns out to be unusable, it is closed and the read,
    which changes nothing, runs once more on a new connection. This saves a round trip on every
    signed-in request; inside a transaction the usual check stays (a new connection would leave it).
    """
    if (
        not connection.health_check_enabled
        or connection.health_check_done
        or connection.connection is None
        or connection.in_atomic_block
    ):
        return read()
    connection.health_check_done = True
    try:
        return read()
    except Error:
        if connection.is_usable():
            raise
    connection.close()
    return read()


def server_prepared_cursor(connection):
    """``_cursor`` for raw SQL that runs on every request (the page cache's version, the access log)."""
    return _cursor(connection)


class _PreparedDebugWrapper(CursorDebugWrapper):
    """Django's query log reads the SQL back from psycopg, which has none for a prepared statement;
    log it with its values bound the way Django's own cursors show it."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
            return CursorWrapper.execute(self, sql, params)


@functools.cache
def _preparing_cursor_class():
    # Imported here: the PostgreSQL backend imports psycopg, which a SQLite installation may lack.
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=True, binary=None):
            return super().execute(query, params, prepare=prepare, binary=binary)

    return PreparingCursor


def _server_prepared_cursor(connection):
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    cursor = _preparing_cursor_class()(connection.connection)
    # As Django's create_cursor: the time zone of timestamps read, where the connection's differs.
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    if connection.timezone != loader.timezone:
        register_tzloader(connection.timezone, cursor)
    return cursor


class StandInUser:
    """What the scoping code reads from a user, with stand-in values, to build a prepared query.

    It answers ``has_role`` only for the roles the query's shape was chosen by (``known_roles``)
    and has no other attributes, not even a primary key, so scoping code that starts to depend on
    something else fails when the query is compiled instead of building the query for the wrong user.
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True

    def __init__(self, *, organisation_id, roles, known_roles):
        self.organisation_id = organisation_id
        self._roles = frozenset(roles)
        self._known_roles = frozenset(known_roles)

    def has_role(self, *roles):
        unknown = set(roles) - self._known_roles
        if unknown:
            raise AttributeError(f"StandInUser: Rolle {sorted(unknown)} bestimmt die Form der Abfrage nicht.")
        return bool(self._roles.intersection(roles))


@dataclass(frozen=True)
class Row:
    """A row of a ``PreparedQuery`` as read, with the compiled query that reads it back."""

    compiled: object
    values: tuple


class PreparedQuery:
    """``build(**stand_ins)`` returns the queryset; ``first``/``all`` run it with new values.

    ``stand_ins`` maps each parameter's name to a value (a tuple for the values of an ``__in``
    look-up, whose length then belongs to the query's shape). Only plain look-ups by value are
    meant: a parameter the ORM transforms before sending (``__contains``, ``__iexact``) does not
    match its stand-in and is refused when the query is compiled. What changes the SQL itself
    (roles, filters chosen, a page's offset) belongs in the shape: one ``PreparedQuery`` each.
    """

    def __init__(
        self, build, *, using=DEFAULT_DB_ALIAS, plan_once=True, checks_connection=False, **stand_ins
    ):
        self.build = build
        self.using = using
        self.plan_once = plan_once
        # A read that opens most requests may stand in for Django's connection health check
        # (``_health_check_by_query``).
        self.checks_connection = checks_connection
        self.stand_ins = stand_ins
        # Per connection object: each thread has its own, and a compiler is bound to one.
        self._compiled = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def _compile(self, connection):
        first = dict(self.stand_ins)
        second = {name: _alternate(value) for name, value in first.items()}
        flat_first = list(_flat(first))
        values = [value for _, _, value in flat_first] + [value for _, _, value in _flat(second)]
        if len(set(values)) != len(values):
            raise ValueError("PreparedQuery: Platzhalter müssen verschieden sein.")
        queryset = self.build(**first).using(self.using)
        compiler = queryset.query.get_compiler(using=self.using)
        sql, params = _sql(compiler)
        check_sql, check_params = _sql(self.build(**second).using(self.using).query.get_compiler(self.using))
        if sql is None and check_sql is None:  # ``none()``, or a condition that matches nothing
            return _Compiled(None, (), {}, compiler, None, [], slice(0), [], {})
        if sql != check_sql or len(params) != len(check_params):
            raise ValueError("PreparedQuery: Die Form der Abfrage hängt von den Werten der Platzhalter ab.")
        by_pair = {
            (_adapt(connection, a), _adapt(connection, b)): (name, index)
            for (name, index, a), (_, _, b) in zip(flat_first, _flat(second), strict=True)
        }
        positions = {}
        for position, (a, b) in enumerate(zip(params, check_params, strict=True)):
            if a == b:
                continue
            if (a, b) not in by_pair:
                raise ValueError(
                    f"PreparedQuery: Parameter {position + 1} ({a!r}) ändert sich, ist aber kein Platzhalter."
                )
            positions[position] = by_pair[(a, b)]
        unused = {name for name, _, _ in flat_first} - {name for name, _ in positions.values()}
        if unused:
            raise ValueError(f"PreparedQuery: Platzhalter {sorted(unused)} kommt in der Abfrage nicht vor.")
        select = compiler.select
        if queryset._iterable_class is ValuesListIterable:
            names = [
                *queryset.query.extra_select,
                *queryset.query.values_select,
                *queryset.query.annotation_select,
            ]
            if queryset._fields and list(queryset._fields) != names:
                raise ValueError(
                    "PreparedQuery: values_list() mit Feldern in anderer Reihenfolge als im SELECT."
                )
            return _Compiled(sql, tuple(params), positions, compiler, None, [], slice(0), [], {})
        if queryset._iterable_class is not ModelIterable:
            raise ValueError("PreparedQuery: nur Modellinstanzen oder values_list().")
        klass_info = compiler.klass_info
        fields = klass_info["select_fields"]
        model_fields = slice(fields[0], fields[-1] + 1)
        return _Compiled(
            sql=sql,
            params=tuple(params),
            positions=positions,
            compiler=compiler,
            model=klass_info["model"],
            init_list=[column[0].target.attname for column in select[model_fields]],
            model_fields=model_fields,
            related_populators=get_related_populators(klass_info, select, self.using),
            annotation_col_map=dict(compiler.annotation_col_map or {}),
        )

    def _for(self, connection):
        compiled = self._compiled.get(connection)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(connection)
                if compiled is None:
                    compiled = self._compiled[connection] = self._compile(connection)
        return compiled

    def _execute(self, values, fetch_one=False):
        if set(values) != set(self.stand_ins):
            raise TypeError(
                f"PreparedQuery: Werte für {sorted(self.stand_ins)} erwartet, {sorted(values)} erhalten."
            )
        connection = connections[self.using]
        compiled = self._for(connection)
        if compiled.sql is None:
            return compiled, []
        params = list(compiled.params)
        for position, (name, index) in compiled.positions.items():
            value = values[name]
            if index is not None:
                if len(value) != len(self.stand_ins[name]):
                    raise ValueError(f"PreparedQuery: {name!r} braucht {len(self.stand_ins[name])} Werte.")
                value = value[index]
            params[position] = _adapt(connection, value)
        if self.checks_connection:
            fetched = _health_check_by_query(
                connection, lambda: self._fetch(connection, compiled, params, fetch_one)
            )
        else:
            fetched = self._fetch(connection, compiled, params, fetch_one)
        if compiled.converters is None:
            return compiled, list(compiled.compiler.results_iter([fetched]))
        if compiled.converters:
            fetched = list(compiled.compiler.apply_converters(fetched, compiled.converters))
        return compiled, fetched

    def _fetch(self, connection, compiled, params, fetch_one):
        with _cursor(connection, self.plan_once) as cursor:
            cursor.execute(compiled.sql, params)
            return cursor.fetchmany(1) if fetch_one else cursor.fetchall()

    def _instances(self, compiled, rows):
        if compiled.model is None:
            return [tuple(row) for row in rows]
        instances = []
        for row in rows:
            instance = compiled.model.from_db(self.using, compiled.init_list, row[compiled.model_fields])
            for populator in compiled.related_populators:
                populator.populate(row, instance)
            for name, position in compiled.annotation_col_map.items():
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances

    def first(self, **values):
        """The first row (a model instance, or a tuple for a ``values_list``), or None."""
        row = self.first_row(**values)
        return None if row is None else self.from_row(row)

    def first_row(self, **values):
        """The first row as the database sent it, or None. ``from_row`` builds it as ``first`` does,
        again and again without a query: for a caller that knows the row has not changed since."""
        compiled, rows = self._execute(values, fetch_one=True)
        return Row(compiled, tuple(rows[0])) if rows else None

    def from_row(self, row):
        """A new instance (or tuple) from a ``Row`` of ``first_row``. Instances share the row's values,
        so this is meant for rows of immutable values only (text, numbers, dates), not JSON."""
        return self._instances(row.compiled, [row.values])[0]

    def all(self, **values):
        """Every row: model instances, or tuples for a ``values_list``."""
        return self._instances(*self._execute(values))


_PREPARED_SHAPES = 512  # compiled queries kept per process


def run_prepared(build, shape, plan_once=True, **values):
    """``build(*shape, **values)``, compiled once per ``shape`` and then only run with ``values``.

    ``shape`` is a hashable tuple of everything that changes the SQL (a filter chosen, a page's
    offset, the roles of a user); ``values`` are what only fills it in. Their stand-ins are made
    from their types, so one shape with values of the same types and lengths is one compiled query.
    ``plan_once=False`` for a query whose best plan depends on its values (see ``_cursor``).
    """
    stand_ins = tuple(_stand_ins(values))
    return _prepared(build, shape, plan_once, stand_ins).all(**values)


@functools.lru_cache(maxsize=_PREPARED_SHAPES)
def _prepared(build, shape, plan_once, stand_ins):
    return PreparedQuery(lambda **values: build(*shape, **values), plan_once=plan_once, **dict(stand_ins))


def _stand_ins(values):
    """(name, stand-in) for each value, all different, their alternates too (see ``_alternate``)."""
    counter = iter(range(1, 100_000))

    def stand_in(value):
        n = next(counter)
        if isinstance(value, bool):
            raise TypeError("PreparedQuery: Wahrheitswerte gehören in die Form der Abfrage.")
        if isinstance(value, int):
            return -7_000_000 - n
        if isinstance(value, datetime.datetime):
            return datetime.datetime(1901, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(seconds=3 * n)
        if isinstance(value, datetime.date):
            return datetime.date(1901, 1, 1) + datetime.timedelta(days=3 * n)
        if isinstance(value, str):
            return f"~platzhalter-{n}"
        raise TypeError(f"PreparedQuery: kein Platzhalter für {type(value).__name__}.")

    for name in sorted(values):
        value = values[name]
        if isinstance(value, list | tuple):
            yield name, tuple(stand_in(item) for item in value)
        else:
            yield name, stand_in(value)
