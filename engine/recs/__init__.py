"""Recommendations: the two-tower model, interactions, item/user data, training, evaluation, the served recommender."""
