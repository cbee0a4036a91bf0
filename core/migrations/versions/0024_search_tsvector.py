"""the search box's words read from a stored full-text vector (PostgreSQL; stop 30)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07

The words of the queue's search were matched as to_tsvector('sinac_es', search_text) @@ query,
an expression index (0008) finding the rows. But when the planner walks the newest cases and
filters them (a common word, a page further on), or an index finds candidates and the page
needs the match re-checked, the expression is computed again for every row read: the Spanish
stemmer and unaccent over the description, the FURs' texts and the notes, ~20 µs a row. At 500k
cases a common word's tenth page read ~4,000 rows for ~100 ms (docs/benchmarks.md, "Queue at
500k, stop 30").

cases.search_tsv is that vector, stored: a generated column, kept by PostgreSQL itself on every
write of search_text (no code writes it; the models leave it unmapped). Its GIN index replaces
the expression index. SQLite keeps its LIKE search.

Adding a stored generated column rewrites the cases table once (at 500k cases, about a minute,
under an exclusive lock).
"""

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE cases ADD COLUMN search_tsv tsvector "
               "GENERATED ALWAYS AS (to_tsvector('sinac_es'::regconfig, search_text)) STORED")
    op.execute("CREATE INDEX ix_cases_search_tsv ON cases USING gin (search_tsv)")
    op.execute("DROP INDEX ix_cases_search")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX ix_cases_search ON cases USING gin (to_tsvector('sinac_es'::regconfig, search_text))")
    op.execute("DROP INDEX ix_cases_search_tsv")
    op.execute("ALTER TABLE cases DROP COLUMN search_tsv")
