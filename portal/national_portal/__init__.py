"""The mock national public-service portal (*Cổng Dịch vụ công quốc gia*): an outside system.

It stands for the national portal that every provincial one-stop system reports its dossiers'
statuses to. It keeps what it received in its own database (``NATIONAL_PORTAL_DATABASE_URL``)
and is reached only over HTTP, as the real one would be: the portal's delivery worker
(:mod:`portal.notifications.national`) posts each status change, signed with the shared secret
(:mod:`portal.national_portal.protocol`), and anyone may look up a dossier's statuses by its code.

1. :mod:`~portal.national_portal.protocol`: the message's encoding and its HMAC-SHA256 signature;
2. :mod:`~portal.national_portal.store`: what was received, once per dossier code and sequence;
3. :mod:`~portal.national_portal.service`: the small HTTP service, which can be told to fail or
   to be slow (``PUT /control``) so outages are testable.
"""
