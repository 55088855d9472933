"""The learned ranker: candidates in stages, one home for its features, a gradient-boosted model."""
