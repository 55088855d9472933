"""The audio-feature predictor: model, features, priors, calibration, training, evaluation, the served bundle, enrichment."""
