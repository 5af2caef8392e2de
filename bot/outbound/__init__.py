"""Outbound wiring: the transactional outbox behind ``notify.types.Notifier``, the reach router,
rendering in the recipient's language, and the relay + sender runner."""
