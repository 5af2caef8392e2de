"""Channels: each delivers one kind of :class:`notify.types.Envelope` and answers an :class:`Attempt`."""
