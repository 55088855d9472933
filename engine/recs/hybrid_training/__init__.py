"""Fitting and measuring the hybrid ranker (training side: reads the datasets)."""
