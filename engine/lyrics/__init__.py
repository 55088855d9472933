"""Lyrics: topic and mood model, data, text chunking, training, serving."""
