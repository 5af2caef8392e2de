"""Photos: validated by content, re-encoded without metadata, stored on disk; residents' and staff's alike.

``images`` decides what an upload is (CPU-bound, run in the heavy-step pool); ``stamp`` watermarks and
writes content-addressed files; ``staff`` and ``wechat`` are the domain steps that record them for a case.
"""
