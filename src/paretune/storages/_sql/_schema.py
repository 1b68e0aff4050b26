"""The SQL schema, one version number for the whole of it.

Values are JSON text columns so that every dialect stores them the same way. Times are
seconds since the epoch (double precision), which is exact and dialect-neutral.

Bump :data:`SCHEMA_VERSION` with every change and add its migration to
``SQLStorage._init_schema``. Version 2 added ``paretune_trials.placement``,
``paretune_studies.fidelity`` and the ``paretune_study_keys`` table; version 3
``paretune_trials.fail_kind``; version 4 the ``paretune_trial_repeats`` table;
version 5 ``paretune_studies.settings`` and ``paretune_trials.heartbeat_at`` (leases);
version 6 ``paretune_trials.cost`` and ``paretune_trial_reports.cost`` (told costs).
"""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy import Column
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import MetaData
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint

SCHEMA_VERSION = 6
"""The version of the schema this paretune writes and reads."""

metadata = MetaData()

meta_table = Table(
    "paretune_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

studies_table = Table(
    "paretune_studies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(512), nullable=False, unique=True),
    Column("objectives", Text, nullable=False),
    Column("constraints", Text, nullable=False),
    Column("seed", BigInteger, nullable=True),
    Column("user_attrs", Text, nullable=False),
    Column("created_at", Float(precision=53), nullable=False),
    Column("next_trial_number", Integer, nullable=False),
    Column("fidelity", Text, nullable=True),  # since version 2
    Column("settings", Text, nullable=True),  # since version 5
)

trials_table = Table(
    "paretune_trials",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("study_id", Integer, ForeignKey("paretune_studies.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("seed", BigInteger, nullable=False),
    Column("metrics", Text, nullable=True),
    Column("constraints", Text, nullable=True),
    Column("fail_reason", Text, nullable=True),
    Column("fail_kind", String(32), nullable=True),  # since version 3
    Column("traceback", Text, nullable=True),
    Column("started_at", Float(precision=53), nullable=True),
    Column("finished_at", Float(precision=53), nullable=True),
    Column("user_attrs", Text, nullable=False),
    Column("environment", Text, nullable=False),
    Column("enqueued_params", Text, nullable=False),
    Column("placement", Text, nullable=True),  # since version 2
    Column("heartbeat_at", Float(precision=53), nullable=True),  # since version 5
    Column("cost", Float(precision=53), nullable=True),  # since version 6
    UniqueConstraint("study_id", "number", name="uq_paretune_trials_study_number"),
    Index("ix_paretune_trials_study_state", "study_id", "state"),
)

params_table = Table(
    "paretune_trial_params",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("trial_id", Integer, ForeignKey("paretune_trials.id"), nullable=False),
    Column("name", String(512), nullable=False),
    Column("value", Text, nullable=False),
    Column("distribution", Text, nullable=False),
    UniqueConstraint("trial_id", "name", name="uq_paretune_params_trial_name"),
)

reports_table = Table(
    "paretune_trial_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("trial_id", Integer, ForeignKey("paretune_trials.id"), nullable=False),
    Column("step", Integer, nullable=False),
    Column("metrics", Text, nullable=False),
    Column("reported_at", Float(precision=53), nullable=False),
    Column("cost", Float(precision=53), nullable=True),  # since version 6
    UniqueConstraint("trial_id", "step", name="uq_paretune_reports_trial_step"),
)

study_keys_table = Table(
    "paretune_study_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("study_id", Integer, ForeignKey("paretune_studies.id"), nullable=False),
    Column("key", String(256), nullable=False),
    UniqueConstraint("study_id", "key", name="uq_paretune_study_keys_study_key"),
)
"""Keys taken once per study (since version 2): a unique row makes a decision atomic."""

repeats_table = Table(
    "paretune_trial_repeats",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("study_id", Integer, ForeignKey("paretune_studies.id"), nullable=False),
    Column("trial_id", Integer, ForeignKey("paretune_trials.id"), nullable=False),
    Column("trial_number", Integer, nullable=False),
    Column("repeat_index", Integer, nullable=False),
    Column("seed", BigInteger, nullable=False),
    Column("state", String(16), nullable=False),
    Column("metrics", Text, nullable=True),
    Column("fail_reason", Text, nullable=True),
    Column("started_at", Float(precision=53), nullable=False),
    Column("finished_at", Float(precision=53), nullable=True),
    Column("environment", Text, nullable=False),
    UniqueConstraint("trial_id", "repeat_index", name="uq_paretune_repeats_trial_index"),
    Index("ix_paretune_repeats_study", "study_id"),
)
"""Re-evaluations of finished trials (since version 4): a unique row per trial and index,
so each repeat is claimed by one worker."""
