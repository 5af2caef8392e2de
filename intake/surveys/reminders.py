"""The one reminder: a survey still unanswered ``reminder_after`` its question, and not yet expired.

Run periodically (the app's survey sweep, one process at a time). Each survey is
claimed with a guarded update (``reminded_at IS NULL``) before its message is
published in the same transaction, so two sweepers cannot both remind.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from intake.cases.context import CaseContext
from intake.store.models_surveys import Survey
from intake.surveys.lifecycle import message

BATCH = 500


async def remind(ctx: CaseContext) -> int:
    """Publish the due reminders; returns how many were sent."""
    now = ctx.clock()
    due = await Survey.filter(status="pending", reminded_at__isnull=True, due_at__lte=now - ctx.surveys.reminder_after,
                              expires_at__gt=now).order_by("due_at", "id").limit(BATCH)
    sent = 0
    for survey in due:
        async with in_transaction():
            claimed = await Survey.filter(id=survey.id, status="pending", reminded_at__isnull=True) \
                .update(reminded_at=now)
            if not claimed:
                continue
            await ctx.notifier.publish([message(ctx, survey, "survey.reminder", {})])
        sent += 1
    return sent
