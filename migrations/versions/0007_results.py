"""Official results (issue 18): the agency's choices on the result's legal template
(``result_choices``) and the token of the public verification address (``result_token``).

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE, as in 0005: a batch copy of ``dossiers`` would have to drop the table
    # that every other table refers to. The token's uniqueness is a unique index, which SQLite
    # can drop before dropping the column.
    op.add_column('dossiers', sa.Column('result_choices', sa.JSON(), server_default='{}', nullable=False))
    op.add_column('dossiers', sa.Column('result_token', sa.String(length=24), nullable=True))
    op.create_index('ix_dossiers_result_token', 'dossiers', ['result_token'], unique=True)


def downgrade():
    op.drop_index('ix_dossiers_result_token', table_name='dossiers')
    op.drop_column('dossiers', 'result_token')
    op.drop_column('dossiers', 'result_choices')
