"""Django's SQLite backend, with two changes that matter to bulk writes.

- Django assumes SQLite's old compile-time limit of 999 variables per statement and splits bulk
  writes to fit; SQLite ≥ 3.32 allows 32766 (this build more). With the real limit, a page of
  imported shipments is written with one INSERT per table (up to ``config.bulk``'s 500 rows
  per statement).
- Django turns ``%s`` placeholders into ``?`` with a regular expression over the whole query;
  for a multi-row INSERT of thousands of values that costs more than the insert. Without a
  ``%%`` in the query the result is the same as a plain ``str.replace``, which is used then.
"""

import sqlite3

from django.db.backends.sqlite3 import base, features


class DatabaseFeatures(features.DatabaseFeatures):
    @property
    def max_query_params(self) -> int:
        connection = self.connection.connection
        if connection is None:
            self.connection.ensure_connection()
            connection = self.connection.connection
        return connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None and "%%" not in query:
            return query.replace("%s", "?")
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)
