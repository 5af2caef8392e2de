"""The classifier's tuning loop at run time: the serving classifier, loading models, retrain jobs, the shadow
runner, comparisons. It uses intake (the records: ``intake.tuning``) and nlp (training, loading); bot uses
it (``bot/views/nlp.py`` and the app factory) and keeps the HTTP side (``bot/tuning``: bodies, presenting)."""
