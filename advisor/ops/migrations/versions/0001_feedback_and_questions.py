"""Feedback and the question log: the tables the SQLite-only versions created, now on any database.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "feedback" not in existing:  # files from before Alembic already have it: adopt them as they are
        op.create_table(
            "feedback",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("created_at", sa.Text, nullable=False),
            sa.Column("rating", sa.Text, nullable=False),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("answer", sa.Text, nullable=False),
            sa.Column("sources", sa.Text, nullable=False),
            sa.Column("backend", sa.Text, nullable=False),
            sa.Column("grounded", sa.Integer),
        )
    if "questions" not in existing:
        op.create_table(
            "questions",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("asked_at", sa.Text, nullable=False),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("route", sa.String(32), nullable=False),
            sa.Column("grounded", sa.Integer, nullable=False),
            sa.Column("similarity", sa.Float, nullable=False),
            sa.Column("backend", sa.Text, nullable=False),
        )
        op.create_index("questions_asked_at", "questions", ["asked_at"])


def downgrade() -> None:
    op.drop_index("questions_asked_at", table_name="questions")
    op.drop_table("questions")
    op.drop_table("feedback")
