"""One committed appointment (issue 16): the working calendar is versioned, so a calendar
exception added or deleted after a dossier was accepted does not move its appointment.

- ``calendar_exceptions.created_at`` / ``deleted_at``: when an exception came into force and
  when it was withdrawn (deleted exceptions stay as history); existing rows are "known from the
  start" (``created_at`` NULL). The day is unique among standing exceptions only.
- ``dossiers.calendar_as_of``: the instant whose calendar a dossier's appointment uses, set when
  an administrator re-plans it (NULL: its acceptance).

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

STANDING = "deleted_at IS NULL"


def upgrade():
    with op.batch_alter_table('calendar_exceptions') as batch:
        batch.add_column(sa.Column('created_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))
        batch.drop_constraint('uq_calendar_exceptions_day', type_='unique')
    op.create_index('uq_calendar_exceptions_day_standing', 'calendar_exceptions', ['day'], unique=True,
                    sqlite_where=sa.text(STANDING), postgresql_where=sa.text(STANDING))
    op.add_column('dossiers', sa.Column('calendar_as_of', sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column('dossiers', 'calendar_as_of')
    op.execute("DELETE FROM calendar_exceptions WHERE deleted_at IS NOT NULL")
    op.drop_index('uq_calendar_exceptions_day_standing', table_name='calendar_exceptions')
    with op.batch_alter_table('calendar_exceptions') as batch:
        batch.create_unique_constraint('uq_calendar_exceptions_day', ['day'])
        batch.drop_column('deleted_at')
        batch.drop_column('created_at')
