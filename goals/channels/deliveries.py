"""Queueing messages to channels, sending them through the task worker, retrying with back-off.

`queue` records a Delivery (once per channel, kind and occasion: a second run of the daily
job queues nothing new) and enqueues `deliver_task` after the transaction commits. The task
posts the message; on failure it records the error and, while attempts remain, enqueues
itself again after CHANNEL_RETRY_DELAYS[attempt] seconds (1 min, 5 min, 30 min by default),
then gives up (state 发送失败, visible in the admin's 渠道发送记录).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone

from goals.channels import transport
from goals.models import Channel, Delivery

logger = logging.getLogger(__name__)


def queue(
    channel: Channel, *, kind: str, occasion: str, title: str, text: str, enqueue: bool = True
) -> Delivery | None:
    """Record the message and enqueue its sending; None when it was queued before."""
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                channel=channel, kind=kind, occasion=occasion[:40], title=title[:200], text=text
            )
    except IntegrityError:
        return None
    if enqueue:
        transaction.on_commit(lambda: deliver_task.enqueue(delivery.pk))
    return delivery


def attempt(delivery: Delivery, *, retry: bool = True) -> bool:
    """One attempt: True when sent; on failure the error is recorded and (`retry`) a retry planned."""
    channel = delivery.channel
    message = transport.Message(
        delivery.title, delivery.text, channel.department.name, delivery.kind, delivery.occasion
    )
    delivery.attempts += 1
    try:
        if not channel.enabled:
            raise transport.Failed("channel disabled")
        transport.post(channel.kind, channel.url, channel.secret, message)
    except transport.Failed as failure:
        delivery.error = str(failure)[:1000]
        delays = settings.CHANNEL_RETRY_DELAYS
        retry = retry and delivery.attempts <= len(delays) and channel.enabled
        delivery.state = Delivery.State.RETRYING if retry else Delivery.State.FAILED
        delivery.save(update_fields=["attempts", "error", "state"])
        logger.warning("channel %s: attempt %s failed: %s", channel.pk, delivery.attempts, failure)
        if retry:
            run_after = timezone.now() + datetime.timedelta(seconds=delays[delivery.attempts - 1])
            transaction.on_commit(lambda: deliver_task.using(run_after=run_after).enqueue(delivery.pk))
        return False
    delivery.state = Delivery.State.SENT
    delivery.sent_at = timezone.now()
    delivery.error = ""
    delivery.save(update_fields=["attempts", "error", "state", "sent_at"])
    return True


@task()
def deliver_task(delivery_id: int) -> str:
    """Run by the worker (`manage.py db_worker`): one attempt at one delivery."""
    delivery = Delivery.objects.select_related("channel__department").filter(pk=delivery_id).first()
    if delivery is None or delivery.state in (Delivery.State.SENT, Delivery.State.FAILED):
        return "nothing to do"
    return "sent" if attempt(delivery) else delivery.state
