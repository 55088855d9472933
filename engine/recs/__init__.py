"""Recommendations around the served learned ranker: the catalog index and library profiles, the ranker and the
simple rules it is judged against, the shelves, one metrics module, and the two-tower model it reads."""
