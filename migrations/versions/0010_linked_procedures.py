"""Linked procedures (issue 21; Nghị định 63/2024/NĐ-CP): one e-form, one group code, one
component dossier per agency.

- ``procedures.components``: a linked procedure's component procedures in order, each with
  the component it waits for (empty for every other procedure);
- ``dossier_groups``: the linked dossier, its code and applicant;
- ``group_components``: each component dossier's place in its group, the component whose result
  it waits for and when that result released it (its clock starts then). A table of its own,
  so ``dossiers`` keeps its columns (a batch copy of it would drop what refers to it).

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('procedures', sa.Column('components', sa.JSON(), server_default='[]', nullable=False))
    op.create_table('dossier_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('procedure_snapshot', sa.JSON(), nullable=False),
    sa.Column('applicant_user_id', sa.Integer(), nullable=True),
    sa.Column('applicant_personal_id', sa.String(length=12), nullable=False),
    sa.Column('applicant_name', sa.String(length=255), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['applicant_user_id'], ['users.id'], name=op.f('fk_dossier_groups_applicant_user_id_users')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_dossier_groups_procedure_id_procedures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_groups')),
    sa.UniqueConstraint('code', name=op.f('uq_dossier_groups_code'))
    )
    op.create_index(op.f('ix_dossier_groups_applicant_personal_id'), 'dossier_groups', ['applicant_personal_id'], unique=False)
    op.create_index(op.f('ix_dossier_groups_submitted_at'), 'dossier_groups', ['submitted_at'], unique=False)
    op.create_table('group_components',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('waits_for_id', sa.Integer(), nullable=True),
    sa.Column('released_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_group_components_dossier_id_dossiers')),
    sa.ForeignKeyConstraint(['group_id'], ['dossier_groups.id'], name=op.f('fk_group_components_group_id_dossier_groups')),
    sa.ForeignKeyConstraint(['waits_for_id'], ['dossiers.id'], name=op.f('fk_group_components_waits_for_id_dossiers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_components')),
    sa.UniqueConstraint('dossier_id', name=op.f('uq_group_components_dossier_id'))
    )
    op.create_index(op.f('ix_group_components_group_id'), 'group_components', ['group_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_group_components_group_id'), table_name='group_components')
    op.drop_table('group_components')
    op.drop_index(op.f('ix_dossier_groups_submitted_at'), table_name='dossier_groups')
    op.drop_index(op.f('ix_dossier_groups_applicant_personal_id'), table_name='dossier_groups')
    op.drop_table('dossier_groups')
    op.drop_column('procedures', 'components')
