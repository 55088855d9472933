"""Exploring a library: clusters and their names, the UMAP map."""
