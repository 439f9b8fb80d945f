"""Rows of a list page read by their primary keys, with a statement the ORM compiles once.

A list page is read in two steps: its keys, in the list's order, from the list's own table and
filters (a narrow query the planner answers from an index), then its rows by those keys. The first
step changes with every filter and position and is composed by the ORM on every request. The
second is the same on every request but for the keys: its `values()` queryset (codes from joined
tables, a correlated sum) is composed and compiled by the ORM once per connection and per number of
keys, and then only executed with the keys in place. Composing and compiling it was the largest
part of a page of 50 projects (about 2 ms of 6, beside a statement that PostgreSQL plans faster than
the single statement with the keys as a subquery).

The rows are exactly the ORM's: the same SQL, and the compiler's own converters applied to what the
cursor returns (`SQLCompiler.results_iter(results=…)`). `tests/test_keyed_rows.py` holds them to
the queryset's own rows.
"""

import weakref
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Statement:
    compiler: SQLCompiler
    sql: str
    params: tuple
    key_positions: list[int]  # where the keys stand among the params
    names: list[str]  # the values() names, in SELECT order


class KeyedRows:
    """`rows_for(keys)` (a `values()` queryset of the rows whose primary key is in `keys`, which must
    select the primary key as `key_name`) read for any keys: `read(keys)` answers its rows in the
    order of `keys`, one dict a row, a key with no row left out.

    Statements are kept per database connection (a connection's compiler converts its own values) and
    per size class: the keys are padded to the next power of two by repeating the last one, so a
    process keeps a handful of statements, not one per page length."""

    def __init__(self, rows_for: Callable[[list], QuerySet], *, key_name: str = "id", using: str = "default"):
        self.rows_for, self.key_name, self.using = rows_for, key_name, using
        self._statements: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def read(self, keys: list) -> list[dict]:
        if not keys:
            return []
        connection = connections[self.using]
        size = 1 << (len(keys) - 1).bit_length()
        statement = self._statement(connection, size)
        params = list(statement.params)
        padded = [*keys, *[keys[-1]] * (size - len(keys))]
        for position, key in zip(statement.key_positions, padded, strict=True):
            params[position] = key
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, params)
            fetched = cursor.fetchall()
        names = statement.names
        by_key = {}
        for row in statement.compiler.results_iter(results=[fetched]):
            values = dict(zip(names, row, strict=True))
            by_key[values[self.key_name]] = values
        return [by_key[key] for key in keys if key in by_key]

    def _statement(self, connection, size: int) -> _Statement:
        kept = self._statements.setdefault(connection, {})
        if size not in kept:
            kept[size] = self._compile(connection, size)
        return kept[size]

    def _compile(self, connection, size: int) -> _Statement:
        # Stand-in keys no row has (and no other parameter equals): where they land among the
        # compiled parameters is where each request's keys go.
        stand_ins = [-(1 << 40) - index for index in range(size)]
        query = self.rows_for(stand_ins).query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        positions = {value: index for index, value in enumerate(params) if value in set(stand_ins)}
        if sorted(positions) != sorted(stand_ins):
            raise ValueError("rows_for(keys) must filter by the keys once each, e.g. .filter(pk__in=keys)")
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        if self.key_name not in names:
            raise ValueError(f"rows_for(keys) must select {self.key_name!r}")
        return _Statement(compiler, sql, tuple(params), [positions[key] for key in stand_ins], names)
