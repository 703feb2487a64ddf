"""Paperless once-only (issue 17): a stored document may expire (``valid_until``), and an
expired one is not offered again. The declaration generated from the e-form is a stored
document of kind ``eform`` attached with source ``eform`` (no schema change: both are text).

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('stored_documents', sa.Column('valid_until', sa.Date(), nullable=True))


def downgrade():
    op.drop_column('stored_documents', 'valid_until')
