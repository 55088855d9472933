"""Real listeners from the sample exports, cut in time, for evaluating recommendations (evaluation only)."""
