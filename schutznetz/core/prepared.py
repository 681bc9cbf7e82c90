"""Querysets compiled once per database connection and then only run with new values.

Every signed-in request loads its session and its user. Both are small look-ups by key, and
Django spends far more time turning their querysets into SQL than the database spends answering
them: measured in-process on SQLite, the user with its roles took 3.0 ms, of which running the
finished SQL was 0.13 ms. A ``PreparedQuery`` builds its queryset once per connection with
stand-in values, keeps the compiled SQL and the compiler, and on each call only swaps in the
values, runs the SQL and turns the row into a model instance the way Django's ``ModelIterable``
does (converters, ``from_db``, ``select_related`` objects, annotations).

Written here because Django has no cache of compiled queries. It leans on the compiler's
``select``/``klass_info``/``annotation_col_map``, which are internals: ``core/tests/test_prepared.py``
compares every prepared load with the plain ORM load, so a Django upgrade that changes them
fails there, not in production.
"""

import datetime
import threading
import weakref
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.query import get_related_populators


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    positions: dict  # name → index in params
    compiler: object
    model: type
    init_list: list
    model_fields: slice
    related_populators: list
    annotation_col_map: dict


def _adapt(connection, value):
    """A value as the ORM hands it to the database driver (datetimes differ per backend)."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


class PreparedQuery:
    """``build(**stand_ins)`` returns the queryset; ``first(**values)`` runs it with ``values``.

    ``stand_ins`` maps each parameter's name to a value that occurs nowhere else in the query
    (it is found again in the compiled parameters by equality). Only plain look-ups by value are
    meant: a parameter the ORM transforms before sending (``__contains``, ``__iexact``) is
    refused when the query is compiled.
    """

    def __init__(self, build, *, using=DEFAULT_DB_ALIAS, **stand_ins):
        self.build = build
        self.using = using
        self.stand_ins = stand_ins
        # Per connection object: each thread has its own, and a compiler is bound to one.
        self._compiled = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def _compile(self, connection):
        queryset = self.build(**self.stand_ins).using(self.using)
        compiler = queryset.query.get_compiler(using=self.using)
        sql, params = compiler.as_sql()
        positions = {}
        for name, stand_in in self.stand_ins.items():
            adapted = _adapt(connection, stand_in)
            found = [index for index, value in enumerate(params) if value == adapted]
            if len(found) != 1:
                raise ValueError(
                    f"PreparedQuery: Platzhalter {name!r} kommt {len(found)}-mal in den Parametern vor."
                )
            positions[name] = found[0]
        select, klass_info = compiler.select, compiler.klass_info
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

    def first(self, **values):
        """The first row's model instance for these values, or None."""
        connection = connections[self.using]
        compiled = self._for(connection)
        params = list(compiled.params)
        for name, value in values.items():
            params[compiled.positions[name]] = _adapt(connection, value)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        (row,) = compiled.compiler.results_iter([[row]])
        instance = compiled.model.from_db(self.using, compiled.init_list, row[compiled.model_fields])
        for populator in compiled.related_populators:
            populator.populate(row, instance)
        for name, position in compiled.annotation_col_map.items():
            setattr(instance, name, row[position])
        return instance
