"""National portal synchronisation (issue 21): the outbox of status changes sent to the national
public-service portal, one numbered message per change of a dossier's national status or
appointment, written in the transaction of the change.

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

UNSENT = "sent_at IS NULL"


def upgrade():
    op.create_table('national_sync_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('dossier_code', sa.String(length=40), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('last_error_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_national_sync_messages_dossier_id_dossiers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_national_sync_messages')),
    sa.UniqueConstraint('dossier_id', 'sequence', name=op.f('uq_national_sync_messages_dossier_id'))
    )
    op.create_index('ix_national_sync_messages_unsent', 'national_sync_messages', ['next_attempt_at'], unique=False,
                    postgresql_where=sa.text(UNSENT), sqlite_where=sa.text(UNSENT))
    op.create_index(op.f('ix_national_sync_messages_last_error_at'), 'national_sync_messages', ['last_error_at'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_national_sync_messages_last_error_at'), table_name='national_sync_messages')
    op.drop_index('ix_national_sync_messages_unsent', table_name='national_sync_messages')
    op.drop_table('national_sync_messages')
