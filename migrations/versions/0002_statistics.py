"""Statistics: the working minutes used and saved stored with the outcome, the register-data
flag and the attachment counts set at submission, the rating's score on the dossier, and the
covering indexes the dashboard reads (issue 7)

Dossiers that existed before this revision get the same values here: minutes from their clock
ledger with the pure deadline engine, the flag from their answers' provenance, the counts from
their attachments, the score from their rating (no ORM models: they may have moved on since
this revision).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 17:03:14.071886

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# Every column the statistics read, so PostgreSQL answers them from the index alone.
SUBMITTED_INCLUDE = ['procedure_id', 'channel', 'delivery', 'status', 'accepted_at', 'fee_amount',
                     'payment_status', 'has_registry_data', 'attachment_count', 'reused_attachment_count']
COMPLETED_INCLUDE = ['procedure_id', 'outcome', 'legal_outcome', 'working_minutes_used', 'working_minutes_saved',
                     'delivery', 'result_document_id', 'rating_score']
BATCH = 1000

dossiers = sa.table(
    'dossiers',
    sa.column('id', sa.Integer),
    sa.column('channel', sa.String),
    sa.column('delivery', sa.String),
    sa.column('procedure_snapshot', sa.JSON),
    sa.column('provenance', sa.JSON),
    sa.column('is_registry_unverified', sa.Boolean),
    sa.column('has_registry_data', sa.Boolean),
    sa.column('attachment_count', sa.Integer),
    sa.column('reused_attachment_count', sa.Integer),
    sa.column('rating_score', sa.Integer),
    sa.column('submitted_at', sa.DateTime),
    sa.column('completed_at', sa.DateTime),
    sa.column('working_minutes_used', sa.Integer),
    sa.column('working_minutes_saved', sa.Integer),
)
clock_entries = sa.table(
    'clock_entries',
    sa.column('id', sa.Integer),
    sa.column('dossier_id', sa.Integer),
    sa.column('kind', sa.String),
    sa.column('at', sa.DateTime),
    sa.column('due_at', sa.DateTime),
)
calendar_exceptions = sa.table(
    'calendar_exceptions', sa.column('day', sa.Date), sa.column('is_working_day', sa.Boolean)
)


def upgrade():
    # Plain ALTERs, not a batch: SQLite adds and drops these columns in place, where a batch
    # would copy the table (and trip over the foreign keys pointing at it). The default is the
    # literal '0' for the same reason: an SQL expression would force the copy.
    op.add_column('dossiers', sa.Column('has_registry_data', sa.Boolean(), server_default='0', nullable=False))
    op.add_column('dossiers', sa.Column('attachment_count', sa.Integer(), server_default='0', nullable=False))
    op.add_column('dossiers', sa.Column('reused_attachment_count', sa.Integer(), server_default='0', nullable=False))
    op.add_column('dossiers', sa.Column('rating_score', sa.Integer(), nullable=True))
    op.add_column('dossiers', sa.Column('working_minutes_used', sa.Integer(), nullable=True))
    op.add_column('dossiers', sa.Column('working_minutes_saved', sa.Integer(), nullable=True))
    op.create_index('ix_dossiers_agency_completed', 'dossiers', ['agency_id', 'completed_at'], unique=False,
                    postgresql_include=COMPLETED_INCLUDE)
    op.create_index('ix_dossiers_agency_submitted', 'dossiers', ['agency_id', 'submitted_at'], unique=False,
                    postgresql_include=SUBMITTED_INCLUDE)
    _backfill_registry_flag(op.get_bind())
    _backfill_attachment_counts(op.get_bind())
    _backfill_rating_scores(op.get_bind())
    _backfill_working_minutes(op.get_bind())


def _backfill_registry_flag(conn):
    rows = conn.execute(
        sa.select(dossiers.c.id, dossiers.c.provenance, dossiers.c.is_registry_unverified)
        .where(dossiers.c.submitted_at.is_not(None))
    ).all()
    ids = [id_ for id_, provenance, is_unverified in rows if not is_unverified and 'registry' in (provenance or {}).values()]
    for start in range(0, len(ids), BATCH):
        conn.execute(
            dossiers.update().where(dossiers.c.id.in_(ids[start:start + BATCH])).values(has_registry_data=True)
        )


def _backfill_attachment_counts(conn):
    attachments = sa.table('attachments', sa.column('dossier_id', sa.Integer), sa.column('source', sa.String))
    of_dossier = attachments.c.dossier_id == dossiers.c.id
    conn.execute(dossiers.update().values(
        attachment_count=sa.select(sa.func.count()).where(of_dossier).scalar_subquery(),
        reused_attachment_count=sa.select(sa.func.count()).where(of_dossier, attachments.c.source == 'reuse')
        .scalar_subquery(),
    ))


def _backfill_rating_scores(conn):
    ratings = sa.table('ratings', sa.column('dossier_id', sa.Integer), sa.column('score', sa.Integer))
    conn.execute(dossiers.update().values(
        rating_score=sa.select(ratings.c.score).where(ratings.c.dossier_id == dossiers.c.id).scalar_subquery()
    ))


def _backfill_working_minutes(conn):
    from datetime import UTC

    from portal.deadlines import ClockEvent, ClockEventKind, ProcessingTime, WorkingCalendar, compute_deadline

    calendar = WorkingCalendar(exceptions=dict(conn.execute(sa.select(calendar_exceptions)).all()))

    def aware(value):
        return value.replace(tzinfo=UTC) if value is not None else None

    completed = conn.execute(
        sa.select(dossiers.c.id, dossiers.c.channel, dossiers.c.delivery, dossiers.c.procedure_snapshot)
        .where(dossiers.c.completed_at.is_not(None))
        .order_by(dossiers.c.id)
    ).all()
    for start in range(0, len(completed), BATCH):
        batch = completed[start:start + BATCH]
        ledgers = {}
        for dossier_id, kind, at, due_at in conn.execute(
            sa.select(clock_entries.c.dossier_id, clock_entries.c.kind, clock_entries.c.at, clock_entries.c.due_at)
            .where(clock_entries.c.dossier_id.in_([row.id for row in batch]))
            .order_by(clock_entries.c.id)
        ):
            ledgers.setdefault(dossier_id, []).append(ClockEvent(ClockEventKind(kind), aware(at), due_at=aware(due_at)))
        for dossier_id, channel, delivery, snapshot in batch:
            events = ledgers.get(dossier_id)
            if not events or events[-1].kind is not ClockEventKind.CLOSE:
                continue
            result = compute_deadline(
                events,
                calendar,
                ProcessingTime(snapshot['processing_value'], snapshot['processing_unit']),
                discount_pct=snapshot['discount_pct'],
                is_online_submission=channel == 'online',
                is_online_delivery=delivery == 'online',
                supplement_policy=snapshot['supplement_policy'],
            )
            conn.execute(
                dossiers.update().where(dossiers.c.id == dossier_id)
                .values(working_minutes_used=result.used_minutes, working_minutes_saved=result.saved_minutes)
            )


def downgrade():
    op.drop_index('ix_dossiers_agency_submitted', table_name='dossiers')
    op.drop_index('ix_dossiers_agency_completed', table_name='dossiers')
    op.drop_column('dossiers', 'working_minutes_saved')
    op.drop_column('dossiers', 'working_minutes_used')
    op.drop_column('dossiers', 'rating_score')
    op.drop_column('dossiers', 'reused_attachment_count')
    op.drop_column('dossiers', 'attachment_count')
    op.drop_column('dossiers', 'has_registry_data')
