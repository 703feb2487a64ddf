"""The mock payment gateway: an outside system with a ledger of its own.

It stands for a bank or the national payment platform. It keeps, in its own database
(``GATEWAY_DATABASE_URL``), every transaction it approved and every refund it made, so the
portal's records can be reconciled against it (``flask payments reconcile``). The portal reaches
it only through :mod:`portal.payments.gateway` (an in-process adapter, or HTTP to this service's
API), and it reaches the portal only as a gateway does: by sending the payer's browser back to
the return URL and by a server-to-server notification, both signed (:mod:`portal.gateway.protocol`).
"""
