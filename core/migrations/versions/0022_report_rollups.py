"""the monthly report's stored figures per month, kept exact by triggers (issue 22 item 1)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07

- report_rollups: one month's figures for one scope as core.reports.rollups computed them (the
  report's two months with their breakdowns, or a trend month's totals), with the generation of
  the month and the fingerprint of the report code they were computed with;
- report_rollup_months: each month's generation. Triggers add one to it in the same transaction
  as any change to a row whose figures fall in that month, so a stored figure is used only while
  nothing it was computed from has changed:
  - volantes: the months of the row's dates before and after the change (sent, answered,
    closed, due, review due), and the months in which any volante of the same case was closed
    ("días a la conclusión" of an accepted re-turn counts from its round's first sending);
  - cases: the months of created_at, closed_at and satisfaction_at before and after, when a
    column the report reads changes (those, status, estado, canal, tipo, topic, satisfaction),
    and the months of the case's reopenings (they are counted with the case's estado, canal
    and tipo);
  - reopenings: the months of created_at and closed_at before and after;
  - business_days (rebuilt when a holiday is added), and on PostgreSQL a TRUNCATE of any of
    these tables: every month.
  Messages are not stored (the report counts them live), so the webhook's insert has no trigger.

Only months that have ended, or end within two days, are counted (the stored figures are only of
months that have ended by the database's clock): a write in the open month takes no lock here.
On PostgreSQL each statement notes the months it touched for its transaction (statement triggers
over the transition tables: a bulk COPY is one note), and a deferred constraint trigger counts
them at commit in one sorted statement: a writer locks the months' rows only while it commits,
and two writers cannot deadlock on them. SQLite serialises writers: its row triggers count at once.
Nothing to backfill: with no stored figures the report computes every month live and stores it.
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

TZ = "America/Mexico_City"
VOLANTE_TIMES = ("sent_at", "answered_at", "closed_at")
VOLANTE_DATES = ("due_date", "review_due_date")
CASE_TIMES = ("created_at", "closed_at", "satisfaction_at")
# what the report reads of a case (core/reports/events.py, figures.py): a change to another
# column (updated_at, search_text, …) does not touch a stored figure
CASE_COLUMNS = ("created_at", "closed_at", "satisfaction_at", "status", "estado_clave", "canal", "tipo", "topic",
                "satisfaction")
REOPENING_TIMES = ("created_at", "closed_at")

# ---- PostgreSQL: statement-level triggers over the transition tables note the months; counted at commit

PG_FUNCTIONS = f"""
CREATE FUNCTION report_rollup_month(ts timestamptz) RETURNS text LANGUAGE sql STABLE AS
$$ SELECT to_char(ts AT TIME ZONE '{TZ}', 'YYYY-MM') $$;

-- a statement notes the ended months it touched, for this transaction only …
CREATE FUNCTION report_rollup_note(keys text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  ended text := (SELECT string_agg(DISTINCT k, ',') FROM unnest(keys) AS k
                 WHERE k IS NOT NULL
                   AND k < to_char((clock_timestamp() + interval '2 days') AT TIME ZONE '{TZ}', 'YYYY-MM'));
BEGIN
  IF ended IS NOT NULL THEN
    PERFORM set_config('sinac.report_months', coalesce(current_setting('sinac.report_months', true), '')
                       || ',' || ended, true);
  END IF;
END $$;

-- … and at commit they are counted once, in one sorted statement (deferred constraint trigger)
CREATE FUNCTION report_rollup_flush() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE pending text := current_setting('sinac.report_months', true);
BEGIN
  IF pending IS NULL OR pending = '' THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('sinac.report_months', '', true);
  INSERT INTO report_rollup_months (month, generation)
  SELECT DISTINCT k, 1 FROM unnest(string_to_array(pending, ',')) AS k WHERE k <> '' ORDER BY 1
  ON CONFLICT (month) DO UPDATE SET generation = report_rollup_months.generation + 1;
  RETURN NULL;
END $$;
"""


def _pg_volante_keys(alias: str) -> str:
    return ", ".join([f"report_rollup_month({alias}.{c})" for c in VOLANTE_TIMES]
                     + [f"to_char({alias}.{c}, 'YYYY-MM')" for c in VOLANTE_DATES])


def _pg_case_keys(alias: str) -> str:
    return ", ".join(f"report_rollup_month({alias}.{c})" for c in CASE_TIMES)


def _pg_reopening_keys(alias: str) -> str:
    return ", ".join(f"report_rollup_month({alias}.{c})" for c in REOPENING_TIMES)


def _case_volantes(cases: str) -> str:
    return f"SELECT report_rollup_month(v.closed_at) FROM volantes v WHERE v.case_id IN ({cases})"


def _case_reopenings(cases: str) -> str:
    return f"SELECT unnest(ARRAY[{_pg_reopening_keys('r')}]) FROM reopenings r WHERE r.case_id IN ({cases})"


PG_TRIGGERS = f"""
CREATE FUNCTION report_rollups_volantes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE keys text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT k) INTO keys FROM (
      SELECT unnest(ARRAY[{_pg_volante_keys('n')}]) FROM new_rows n
      UNION ALL {_case_volantes('SELECT case_id FROM new_rows')}) AS t(k);
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT array_agg(DISTINCT k) INTO keys FROM (
      SELECT unnest(ARRAY[{_pg_volante_keys('n')}, {_pg_volante_keys('o')}])
        FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n IS DISTINCT FROM o
      UNION ALL {_case_volantes('SELECT n.case_id FROM new_rows n JOIN old_rows o ON o.id = n.id'
                                ' WHERE n IS DISTINCT FROM o')}) AS t(k);
  ELSE
    SELECT array_agg(DISTINCT k) INTO keys FROM (
      SELECT unnest(ARRAY[{_pg_volante_keys('o')}]) FROM old_rows o
      UNION ALL {_case_volantes('SELECT case_id FROM old_rows')}) AS t(k);
  END IF;
  PERFORM report_rollup_note(keys);
  RETURN NULL;
END $$;

CREATE FUNCTION report_rollups_cases() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE keys text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT k) INTO keys FROM (SELECT unnest(ARRAY[{_pg_case_keys('n')}]) FROM new_rows n) AS t(k);
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT array_agg(DISTINCT k) INTO keys FROM (
      SELECT unnest(ARRAY[{_pg_case_keys('n')}, {_pg_case_keys('o')}])
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE ({', '.join(f'n.{c}' for c in CASE_COLUMNS)}) IS DISTINCT FROM ({', '.join(f'o.{c}' for c in CASE_COLUMNS)})
      UNION ALL {_case_reopenings(
          'SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE ('
          + ', '.join(f'n.{c}' for c in CASE_COLUMNS) + ') IS DISTINCT FROM ('
          + ', '.join(f'o.{c}' for c in CASE_COLUMNS) + ')')}) AS t(k);
  ELSE
    SELECT array_agg(DISTINCT k) INTO keys FROM (
      SELECT unnest(ARRAY[{_pg_case_keys('o')}]) FROM old_rows o
      UNION ALL {_case_reopenings('SELECT id FROM old_rows')}) AS t(k);
  END IF;
  PERFORM report_rollup_note(keys);
  RETURN NULL;
END $$;

CREATE FUNCTION report_rollups_reopenings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE keys text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT k) INTO keys FROM (SELECT unnest(ARRAY[{_pg_reopening_keys('n')}]) FROM new_rows n) AS t(k);
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT array_agg(DISTINCT k) INTO keys FROM (
      SELECT unnest(ARRAY[{_pg_reopening_keys('n')}, {_pg_reopening_keys('o')}])
        FROM new_rows n JOIN old_rows o ON o.id = n.id) AS t(k);
  ELSE
    SELECT array_agg(DISTINCT k) INTO keys FROM (SELECT unnest(ARRAY[{_pg_reopening_keys('o')}]) FROM old_rows o) AS t(k);
  END IF;
  PERFORM report_rollup_note(keys);
  RETURN NULL;
END $$;

CREATE FUNCTION report_rollups_every_month() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE report_rollup_months SET generation = generation + 1;
  RETURN NULL;
END $$;
"""

PG_TABLES = ("volantes", "cases", "reopenings")


def _pg_create_triggers() -> list[str]:
    transition = {"ins": ("INSERT", "NEW TABLE AS new_rows"), "upd": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                  "del": ("DELETE", "OLD TABLE AS old_rows")}
    out = [f"CREATE TRIGGER report_rollups_{table}_{name} AFTER {event} ON {table} REFERENCING {tables}"
           f" FOR EACH STATEMENT EXECUTE FUNCTION report_rollups_{table}()"
           for table in PG_TABLES for name, (event, tables) in transition.items()]
    out.append("CREATE TRIGGER report_rollups_calendar AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON business_days"
               " FOR EACH STATEMENT EXECUTE FUNCTION report_rollups_every_month()")
    out += [f"CREATE TRIGGER report_rollups_{table}_trunc AFTER TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION report_rollups_every_month()" for table in PG_TABLES]
    out += [f"CREATE CONSTRAINT TRIGGER report_rollups_{table}_commit AFTER INSERT OR UPDATE OR DELETE ON {table}"
            " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION report_rollup_flush()"
            for table in PG_TABLES]
    return out


def _pg_drop() -> list[str]:
    out = [f"DROP TRIGGER IF EXISTS report_rollups_{t}_{op_} ON {t}" for t in PG_TABLES
           for op_ in ("ins", "upd", "del", "trunc", "commit")]
    out.append("DROP TRIGGER IF EXISTS report_rollups_calendar ON business_days")
    out += [f"DROP FUNCTION IF EXISTS report_rollups_{t}()" for t in (*PG_TABLES, "every_month")]
    out += ["DROP FUNCTION IF EXISTS report_rollup_flush()", "DROP FUNCTION IF EXISTS report_rollup_note(text[])",
            "DROP FUNCTION IF EXISTS report_rollup_month(timestamptz)"]
    return out


# ---- SQLite: row-level triggers. The report's local dates there are UTC-6 (core/reports/sql.py),
# its month boundaries the tz database's (UTC-5 in the summers before 2023): both months count.

SQLITE_LIMIT = "strftime('%Y-%m', 'now', '-5 hours', '+2 days')"


def _sqlite_times(row: str, columns: tuple[str, ...]) -> list[str]:
    return [f"strftime('%Y-%m', {row}.{c}, '{shift}')" for c in columns for shift in ("-6 hours", "-5 hours")]


def _sqlite_bump(keys: list[str]) -> str:
    union = " UNION ".join(f"SELECT {k} AS k" for k in keys if not k.startswith("SELECT "))
    union = " UNION ".join([union, *[k for k in keys if k.startswith("SELECT ")]])
    return (f"INSERT INTO report_rollup_months (month, generation)"
            f" SELECT k, 1 FROM ({union}) WHERE k IS NOT NULL AND k < {SQLITE_LIMIT} ORDER BY k"
            f" ON CONFLICT (month) DO UPDATE SET generation = generation + 1;")


def _sqlite_volante_keys(row: str) -> list[str]:
    return (_sqlite_times(row, VOLANTE_TIMES) + [f"substr({row}.{c}, 1, 7)" for c in VOLANTE_DATES]
            + [f"SELECT strftime('%Y-%m', v.closed_at, '{shift}') FROM volantes v WHERE v.case_id = {row}.case_id"
               for shift in ("-6 hours", "-5 hours")])


def _sqlite_case_keys(row: str) -> list[str]:
    return (_sqlite_times(row, CASE_TIMES)
            + [f"SELECT strftime('%Y-%m', r.{c}, '{shift}') FROM reopenings r WHERE r.case_id = {row}.id"
               for c in REOPENING_TIMES for shift in ("-6 hours", "-5 hours")])


def _sqlite_reopening_keys(row: str) -> list[str]:
    return _sqlite_times(row, REOPENING_TIMES)


def _sqlite_create_triggers() -> list[str]:
    keys = {"volantes": _sqlite_volante_keys, "cases": _sqlite_case_keys, "reopenings": _sqlite_reopening_keys}
    out = []
    for table, of in keys.items():
        update = f"AFTER UPDATE ON {table}"
        if table == "cases":
            update = (f"AFTER UPDATE OF {', '.join(CASE_COLUMNS)} ON cases"
                      f" WHEN {' OR '.join(f'OLD.{c} IS NOT NEW.{c}' for c in CASE_COLUMNS)}")
        bodies = {"ins": ("AFTER INSERT ON " + table, of("NEW")), "upd": (update, of("NEW") + of("OLD")),
                  "del": ("AFTER DELETE ON " + table, of("OLD"))}
        out += [f"CREATE TRIGGER report_rollups_{table}_{name} {when} BEGIN {_sqlite_bump(keys_)} END"
                for name, (when, keys_) in bodies.items()]
    for event in ("INSERT", "UPDATE", "DELETE"):
        out.append(f"CREATE TRIGGER report_rollups_calendar_{event.lower()} AFTER {event} ON business_days"
                   f" BEGIN UPDATE report_rollup_months SET generation = generation + 1; END")
    return out


def _sqlite_drop() -> list[str]:
    return ([f"DROP TRIGGER IF EXISTS report_rollups_{t}_{op_}" for t in PG_TABLES for op_ in ("ins", "upd", "del")]
            + [f"DROP TRIGGER IF EXISTS report_rollups_calendar_{e}" for e in ("insert", "update", "delete")])


def upgrade() -> None:
    import sqlalchemy as sa

    import core.models._types

    op.create_table(
        "report_rollup_months",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month"),
    )
    op.create_table(
        "report_rollups",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("data", core.models._types.JSONType, nullable=False),
        sa.PrimaryKeyConstraint("scope", "month", "kind"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTIONS)
        op.execute(PG_TRIGGERS)
        for statement in _pg_create_triggers():
            op.execute(statement)
    else:
        for statement in _sqlite_create_triggers():
            op.execute(statement)


def downgrade() -> None:
    for statement in (_pg_drop() if op.get_bind().dialect.name == "postgresql" else _sqlite_drop()):
        op.execute(statement)
    op.drop_table("report_rollups")
    op.drop_table("report_rollup_months")
