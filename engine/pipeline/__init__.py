"""The one way in (`facade.Tunescope`): it assembles the engine, and every caller gets its libraries
(`enriched.EnrichedLibrary`), the predictor and the recommender there; `online` fills a table online."""
