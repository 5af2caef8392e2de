"""The tuning loop's moving parts: the serving classifier, loading models, retrain jobs, the shadow runner."""
