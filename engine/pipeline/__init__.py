"""Orchestration above the library and the predictor: import, enrich, cluster in one place."""
