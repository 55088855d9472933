"""Versions of the libraries an artifact was built with (read from installed package metadata)."""

from __future__ import annotations

import platform
from importlib import metadata

# What a torch ensemble over MiniLM inputs (the predictor, the lyrics model) was built with.
TORCH_MODEL_PACKAGES = ["torch", "numpy", "pandas", "scikit-learn", "sentence-transformers"]
ARTIFACT_PACKAGES = ["numpy", "pandas", "scikit-learn", "umap-learn", "pynndescent", "numba", "faiss-cpu", "torch"]


def library_versions(packages: list[str] = ARTIFACT_PACKAGES) -> dict:
    out = {"python": platform.python_version()}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out
