"""Time limits: the working days a citizen has to supplement a dossier and how far an extension
may go, per procedure; the supplement request's time limit and reminder, per dossier; extensions
proposed outside the years 2000–2100 dropped.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE (SQLite 3.35+ drops columns itself): a batch copy of ``dossiers`` would
    # have to drop the table that every other table refers to.
    op.add_column('procedures', sa.Column('supplement_days', sa.Integer(), nullable=True))
    op.add_column('procedures', sa.Column('max_extension_days', sa.Integer(), nullable=True))
    op.add_column('dossiers', sa.Column('supplement_due_at', sa.DateTime(), nullable=True))
    op.add_column('dossiers', sa.Column('supplement_reminded_at', sa.DateTime(), nullable=True))
    # An extension proposed before dates were bounded (year 9999 made the leader's page fail):
    # forgotten, so the specialist proposes it again within what the procedure allows.
    op.execute(
        "UPDATE dossiers SET extension_due_at = NULL, extension_reason = NULL "
        "WHERE extension_due_at >= '2101-01-01' OR extension_due_at < '2000-01-01'"
    )


def downgrade():
    op.drop_column('dossiers', 'supplement_reminded_at')
    op.drop_column('dossiers', 'supplement_due_at')
    op.drop_column('procedures', 'max_extension_days')
    op.drop_column('procedures', 'supplement_days')
