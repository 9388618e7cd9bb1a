"""Django's SQLite backend, told the real variable limit of the SQLite it runs on.

Django assumes SQLite's old compile-time limit of 999 variables per statement and splits bulk
writes to fit; SQLite ≥ 3.32 allows 32766. With the real limit a page of imported shipments is
written with one INSERT per table, whatever the page size (DESIGN.md "Performance").
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


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
