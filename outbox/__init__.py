"""The outbound side of the domain: the transactional outbox behind ``notify.types.Notifier``, the reach
router, rendering in the recipient's language, and the relay + sender wiring (from an ``OutboxConfig``).

Uses intake and notify; bot uses it (the app's cleanup context, ``gridline sender``, the dialogue)."""
