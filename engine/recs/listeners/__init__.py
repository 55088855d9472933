"""Real listeners from the sample exports, cut in time: the ranker's training examples and its evaluation."""
