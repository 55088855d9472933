"""Recalibrating the shipped predictor's intervals on real-library-like sets (training side; serving reads calibration.json).

build: the sets and one ensemble pass over them; evaluate: cross-fitted coverage and the report split by source;
fit: the calibrator on every set, written next to the shipped model. Run: python -m engine recalibrate
"""
