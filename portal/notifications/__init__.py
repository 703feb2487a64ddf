"""Notifications: the citizen hears of every public change to their dossiers (DESIGN §3).

1. :func:`~portal.notifications.operations.queue_dossier_notification` writes an outbox row per
   channel (email, SMS) in the transaction of the change, so a rolled-back change sends nothing.
2. ``flask notifications deliver`` (:mod:`~portal.notifications.cli`) runs
   :func:`~portal.notifications.delivery.deliver_batch`: it renders each due row from its
   template (:mod:`~portal.notifications.messages`), hands it to the channel's sender
   (:mod:`~portal.notifications.senders`) and records the outcome, at most once per row.
3. ``/my/notifications`` (:mod:`~portal.notifications.views`) lists them in the citizen's account.
4. The national public-service portal has an outbox of its own (:mod:`~portal.notifications.national`):
   one numbered message per change of a dossier's national status, sent in order by
   ``flask national-sync deliver``.
"""
