"""The classifier's tuning loop as domain logic: model registry, labels, keyword rules, triage.

Training and loading models happen in the top-level ``tuning`` package (``intake`` may import only
``nlp.types``); this package keeps the records and the rules about them.
"""
