"""Partial index on the running dossiers of an agency in due order (officer queues' deadline filters).

Without it, "overdue" on a queue of a million dossiers walked the due-time index past every
finished dossier (2 s on PostgreSQL); the running ones are a few thousand.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# The open states of portal.dossiers.states.OPEN_STATES, written out: a migration must not
# change when the code does.
RUNNING = "status IN ('accepted', 'in_process', 'payment_requested', 'pending_approval', 'supplement_requested')"


def upgrade():
    op.create_index('ix_dossiers_running_due', 'dossiers', ['agency_id', 'due_at'], unique=False,
                    postgresql_where=sa.text(RUNNING), sqlite_where=sa.text(RUNNING))


def downgrade():
    op.drop_index('ix_dossiers_running_due', table_name='dossiers')
