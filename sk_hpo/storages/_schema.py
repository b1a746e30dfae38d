"""The SQL schema shared by the SQLite and PostgreSQL storages, and its migrations.

The schema is versioned (table ``schema_version``, one row). A database made by an older
sk_hpo is migrated forward by ``sk-hpo storage upgrade URL`` (:func:`upgrade_statements`, run
in one transaction); a database made by a newer sk_hpo is refused.

Version history:

1. sk_hpo 0.1: one objective (``studies.direction``, ``trials.value``).
2. Several objectives (``studies.directions``: a JSON list; ``trials.values_json``: a JSON
   list when a study has several objectives, ``trials.value`` keeping the first one); each
   RUNNING trial's heartbeat grace period (``trials.grace``), so that only its owner's
   settings decide when it is stale; a write token (``trials.token``) that makes a retried
   trial creation idempotent.
"""

from __future__ import annotations

__all__ = ["SCHEMA_VERSION", "create_statements", "upgrade_statements"]

SCHEMA_VERSION = 2

# {ID}: an auto-increment primary key; {FLOAT}: a double; {PARAM_SEQ}: an ordering column
# for params where the database has no implicit one. Each dialect fills them in.
_CREATE = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS studies (
    study_id {ID}, name TEXT NOT NULL UNIQUE, direction TEXT NOT NULL,
    directions TEXT NOT NULL, user_attrs TEXT NOT NULL DEFAULT '{}',
    system_attrs TEXT NOT NULL DEFAULT '{}', datetime_start {FLOAT} NOT NULL);
CREATE TABLE IF NOT EXISTS trials (
    trial_id {ID}, study_id BIGINT NOT NULL, number BIGINT NOT NULL,
    state INTEGER NOT NULL, value {FLOAT}, values_json TEXT, datetime_start {FLOAT},
    datetime_complete {FLOAT}, heartbeat {FLOAT}, grace {FLOAT}, token TEXT,
    user_attrs TEXT NOT NULL DEFAULT '{}', system_attrs TEXT NOT NULL DEFAULT '{}',
    UNIQUE (study_id, number));
CREATE INDEX IF NOT EXISTS trials_state ON trials (study_id, state);
CREATE UNIQUE INDEX IF NOT EXISTS trials_token ON trials (token) WHERE token IS NOT NULL;
CREATE TABLE IF NOT EXISTS params (
    {PARAM_SEQ}trial_id BIGINT NOT NULL, name TEXT NOT NULL, value {FLOAT} NOT NULL,
    distribution TEXT NOT NULL, PRIMARY KEY (trial_id, name));
CREATE TABLE IF NOT EXISTS intermediate_values (
    trial_id BIGINT NOT NULL, step BIGINT NOT NULL, value {FLOAT},
    PRIMARY KEY (trial_id, step));
CREATE TABLE IF NOT EXISTS claims (
    study_id BIGINT NOT NULL, key TEXT NOT NULL, trial_id BIGINT NOT NULL,
    UNIQUE (study_id, key))
"""

# Grace period given to the heartbeats of RUNNING trials of a version-1 database (whose
# owners' settings were not stored): version 1's default, 6 x 10 s.
_V1_GRACE = 60.0

# from_version -> statements that take the schema to from_version + 1.
_MIGRATIONS = {
    1: [
        "ALTER TABLE studies ADD COLUMN directions TEXT NOT NULL DEFAULT '[]'",
        "UPDATE studies SET directions = '[\"' || direction || '\"]'",
        "ALTER TABLE trials ADD COLUMN values_json TEXT",
        "ALTER TABLE trials ADD COLUMN grace {FLOAT}",
        "ALTER TABLE trials ADD COLUMN token TEXT",
        f"UPDATE trials SET grace = {_V1_GRACE} WHERE heartbeat IS NOT NULL",
        "CREATE UNIQUE INDEX IF NOT EXISTS trials_token ON trials (token) "
        "WHERE token IS NOT NULL",
    ],
}


def _fill(statement: str, types: dict[str, str]) -> str:
    for name, text in types.items():
        statement = statement.replace("{" + name + "}", text)
    return statement


def create_statements(types: dict[str, str]) -> list[str]:
    """The statements that create the current schema (without its version row)."""
    return [_fill(s, types) for s in _CREATE.split(";") if s.strip()]


def upgrade_statements(from_version: int, types: dict[str, str]) -> list[str]:
    """The statements that migrate a database of ``from_version`` to :data:`SCHEMA_VERSION`.

    Examples
    --------
    >>> upgrade_statements(2, {})
    []
    >>> upgrade_statements(1, {"FLOAT": "REAL"})[-1]
    'UPDATE schema_version SET version = 2'
    """
    statements = []
    for version in range(from_version, SCHEMA_VERSION):
        statements += [_fill(s, types) for s in _MIGRATIONS[version]]
    if statements:
        statements.append(f"UPDATE schema_version SET version = {SCHEMA_VERSION}")
    return statements
