"""Home: what Tunescope is, and a quick way to enrich a library CSV."""

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard.resources import enricher

st.title("Tunescope")
st.markdown(
    "Spotify stopped serving audio features to new apps in November 2024. Tunescope gives them back: "
    "real values where a reference catalog or your export knows them, and a neural network's prediction, "
    "with an honest confidence, for everything else: **energy, valence, danceability, acousticness, "
    "instrumentalness, liveness, speechiness and tempo**."
)
st.page_link(str(Path(__file__).resolve().parent / "predictor.py"), label="Try the per-track predictor", icon=":material/tune:")

st.subheader("Enrich a library CSV")
st.caption("An Exportify CSV or any CSV with a title and an artist column. Nothing leaves this machine.")
upload = st.file_uploader("CSV file", type=["csv"])
if upload is None:
    st.info("Upload a CSV to see every track with its features, confidence and source.")
    st.stop()

from engine.errors import TunescopeError  # noqa: E402  (after st.stop: only needed with a file)

try:
    frame = pd.read_csv(upload, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    with st.status(f"Enriching {len(frame)} tracks…", expanded=False) as status:
        out = enricher().enrich(frame, where=upload.name, progress=status.write)
        status.update(label=f"Enriched {len(out)} tracks", state="complete")
except TunescopeError as exc:
    st.error(str(exc))
    st.stop()
except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
    st.error(f"{upload.name}: not a readable CSV ({exc}). Save it as UTF-8 CSV with a header row.")
    st.stop()

counts = out["source"].value_counts()
cols = st.columns(4)
for col, source in zip(cols, ["catalog", "export", "spotify", "predicted"]):
    col.metric(source, int(counts.get(source, 0)))
st.dataframe(out, hide_index=True, use_container_width=True)
st.download_button("Download enriched CSV", out.to_csv(index=False), file_name="tunescope_enriched.csv", mime="text/csv")
