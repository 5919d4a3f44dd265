"""questionnaires: questions, options, and each respondent's answer set and answers

One answer set per respondent is enforced here: unique (questionnaire, household) and
(questionnaire, member), and exactly one of the two set (ck_answer_set_one_respondent).
A round has at most one next round (uq_questionnaire_previous_round_id).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 09:36:09.320164
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import voisinage.models.base


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('questionnaire',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('introduction', sa.Text(), nullable=False),
    sa.Column('respondent_unit', sa.String(length=16), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opens_at', voisinage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closes_at', voisinage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('round_number', sa.Integer(), nullable=False),
    sa.Column('previous_round_id', sa.Integer(), nullable=True),
    sa.Column('created_at', voisinage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['previous_round_id'], ['questionnaire.id'], name=op.f('fk_questionnaire_previous_round_id_questionnaire'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_questionnaire_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire')),
    sa.UniqueConstraint('previous_round_id', name=op.f('uq_questionnaire_previous_round_id'))
    )
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_previous_round_id'), ['previous_round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_questionnaire_project_id'), ['project_id'], unique=False)

    op.create_table('question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=500), nullable=False),
    sa.Column('help', sa.Text(), nullable=False),
    sa.Column('optional', sa.Boolean(), nullable=False),
    sa.Column('min_value', sa.Float(), nullable=True),
    sa.Column('max_value', sa.Float(), nullable=True),
    sa.Column('step', sa.Float(), nullable=True),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('min_label', sa.String(length=120), nullable=False),
    sa.Column('max_label', sa.String(length=120), nullable=False),
    sa.Column('max_length', sa.Integer(), nullable=True),
    sa.Column('min_choices', sa.Integer(), nullable=True),
    sa.Column('max_choices', sa.Integer(), nullable=True),
    sa.Column('condition_question_id', sa.Integer(), nullable=True),
    sa.Column('condition_value', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['condition_question_id'], ['question.id'], name=op.f('fk_question_condition_question_id_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_question_questionnaire_id_questionnaire'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question')),
    sa.UniqueConstraint('questionnaire_id', 'key', name=op.f('uq_question_questionnaire_id_key'))
    )
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_condition_question_id'), ['condition_question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_questionnaire_id'), ['questionnaire_id'], unique=False)

    op.create_table('answer_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', voisinage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', voisinage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', voisinage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(household_id IS NULL) <> (member_id IS NULL)', name=op.f('ck_answer_set_one_respondent')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_answer_set_household_id_household'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_answer_set_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_answer_set_questionnaire_id_questionnaire'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['member.id'], name=op.f('fk_answer_set_updated_by_id_member'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_set')),
    sa.UniqueConstraint('questionnaire_id', 'household_id', name=op.f('uq_answer_set_questionnaire_id_household_id')),
    sa.UniqueConstraint('questionnaire_id', 'member_id', name=op.f('uq_answer_set_questionnaire_id_member_id'))
    )
    with op.batch_alter_table('answer_set', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_set_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_set_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_set_questionnaire_id'), ['questionnaire_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_set_updated_by_id'), ['updated_by_id'], unique=False)

    op.create_table('question_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_question_option_question_id_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_option')),
    sa.UniqueConstraint('question_id', 'key', name=op.f('uq_question_option_question_id_key'))
    )
    with op.batch_alter_table('question_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_option_question_id'), ['question_id'], unique=False)

    op.create_table('answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_set_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=64), nullable=True),
    sa.Column('choices', sa.JSON(), nullable=True),
    sa.Column('number', sa.Float(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('skipped', sa.Boolean(), nullable=False),
    sa.Column('updated_at', voisinage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_set_id'], ['answer_set.id'], name=op.f('fk_answer_answer_set_id_answer_set'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_answer_question_id_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer')),
    sa.UniqueConstraint('answer_set_id', 'question_id', name=op.f('uq_answer_answer_set_id_question_id'))
    )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_answer_set_id'), ['answer_set_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_question_id'), ['question_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_question_id'))
        batch_op.drop_index(batch_op.f('ix_answer_answer_set_id'))

    op.drop_table('answer')
    with op.batch_alter_table('question_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_option_question_id'))

    op.drop_table('question_option')
    with op.batch_alter_table('answer_set', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_set_updated_by_id'))
        batch_op.drop_index(batch_op.f('ix_answer_set_questionnaire_id'))
        batch_op.drop_index(batch_op.f('ix_answer_set_member_id'))
        batch_op.drop_index(batch_op.f('ix_answer_set_household_id'))

    op.drop_table('answer_set')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_questionnaire_id'))
        batch_op.drop_index(batch_op.f('ix_question_condition_question_id'))

    op.drop_table('question')
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_project_id'))
        batch_op.drop_index(batch_op.f('ix_questionnaire_previous_round_id'))

    op.drop_table('questionnaire')
