"""The tuning loop over HTTP: request bodies and how records are shown (the runtime is ``tuning/``)."""
