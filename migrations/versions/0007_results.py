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
    # The official number given at signing, unique in its agency's register; the counter row
    # per agency and year hands the numbers out (locked by its upsert, like dossier codes).
    op.add_column('dossiers', sa.Column('result_number', sa.String(length=20), nullable=True))
    op.create_index('ix_dossiers_agency_result_number', 'dossiers', ['agency_id', 'result_number'], unique=True)
    op.create_table('result_number_counters',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_result_number_counters_agency_id_agencies')),
    sa.PrimaryKeyConstraint('agency_id', 'year', name=op.f('pk_result_number_counters'))
    )


def downgrade():
    op.drop_table('result_number_counters')
    op.drop_index('ix_dossiers_agency_result_number', table_name='dossiers')
    op.drop_column('dossiers', 'result_number')
    op.drop_index('ix_dossiers_result_token', table_name='dossiers')
    op.drop_column('dossiers', 'result_token')
    op.drop_column('dossiers', 'result_choices')
