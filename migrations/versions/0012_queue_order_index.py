"""An index on each agency's dossiers in a queue's order (due time, submission, id) with the state.

A queue's first page walked the due-time index of every agency's dossiers until it had twenty of
the officer's own: 0.3 ms for an agency holding 40 % of 1,000,000 dossiers, 9 ms for one holding
10 %, and every due time in the country for an agency with none (1.7 s under a plan made once).
Read from this index, the first page costs 0.1-0.5 ms whatever the agency's size, and PostgreSQL
can keep one plan for it instead of planning each page view (``portal.backoffice.queues``).

Building it takes about 3 s at 1,000,000 dossiers, during which dossiers cannot be written.

Revision ID: 0012
Revises: 0011
"""
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_dossiers_agency_due', 'dossiers', ['agency_id', 'due_at', 'submitted_at', 'id'], unique=False,
                    postgresql_include=['status'])


def downgrade():
    op.drop_index('ix_dossiers_agency_due', table_name='dossiers')
