"""Import -> enrich -> cluster: the one place that joins the library wing and the predictor.

    report = import_files(store, [Path("Liked.csv")])          # engine.library.imports
    frame = enriched_library(store, report.library_id, Enricher(store=store))
    clusters = assign_clusters(frame, ClusterModel.load())

The library wing never imports the predictor and the predictor never opens the store: the
store is handed to the Enricher as its prediction cache here (or by the CLI and the dashboard).
"""

from __future__ import annotations

import pandas as pd

from engine.library.recency import with_recency
from engine.schema import INTERVAL_COLUMNS, OUTPUT_COLUMNS


def enriched_library(store, library_id: int, enricher, progress=None, online: bool = True) -> pd.DataFrame:
    """The library with all 8 features, confidences, intervals and source; results saved to the store.
    online=False: for a reader who has not agreed to online lookups, no value they fetched is used."""
    frame = store.library_tracks(library_id, online=online)
    if frame.empty:
        return frame.reindex(columns=list(frame.columns) + [c for c in OUTPUT_COLUMNS + INTERVAL_COLUMNS
                                                              if c not in frame.columns])
    name = store.libraries().set_index("library_id").get("name", pd.Series(dtype=str)).get(library_id, "library")
    enriched = enricher.enrich(frame, where=str(name), progress=progress)
    store.save_enrichment(library_id, enriched["key"].tolist(), enriched)
    return with_recency(store, library_id, enriched)  # what "lately" means to the recommender


def assign_clusters(enriched: pd.DataFrame, model) -> pd.DataFrame:
    """Every track's cluster (100% coverage: predicted tracks are placed by their soft assignment)."""
    return model.assign(enriched)


def import_enrich_cluster(store, files, enricher, cluster_model, **import_options):
    """Bring files in, then enrich and cluster the library: (report, enriched frame, cluster assignments)."""
    from engine.library.imports import import_files

    report = import_files(store, files, **import_options)
    frame = enriched_library(store, report.library_id, enricher)
    return report, frame, assign_clusters(frame, cluster_model)
