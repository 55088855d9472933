"""Models: one card per shipped model, so a listener can see how far to trust the other pages."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import resources, ui
from dashboard.safe import md, plot_text

st.title("Models")
st.caption("What each model behind these pages is for, and how it did against the simple rule it competes with, on "
           "real data it never saw. The tables, calibration and training curves behind each figure are under "
           "\"For developers\"; every figure is read from the model's own files under models/.")

with ui.engine_errors():
    cards = resources.model_cards()
if not cards:
    st.info("No model artifacts found under models/. Train them with the commands in docs/cli.md.")
    st.stop()


def table(t) -> None:
    st.markdown(f"**{md(t.title)}**")
    frame = pd.DataFrame(t.rows)
    st.dataframe(frame, hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.3f") for c in frame.columns
                                if pd.api.types.is_float_dtype(frame[c])})
    caption = ([md(t.note)] if t.note else []) + ([f"`{t.command}`"] if t.command else [])
    if caption:
        st.caption(" · ".join(caption))


def reliability(bins: dict) -> None:
    st.markdown("**Reliability: does a higher confidence mean a smaller error, and does the 90% interval hold?**")
    cover, error = go.Figure(), go.Figure()
    for feature, rows in bins.items():
        x = [r["confidence"] for r in rows]
        cover.add_trace(go.Scatter(x=x, y=[r["coverage_90"] for r in rows], mode="lines+markers", name=feature,
                                   hovertemplate=plot_text(feature) + ": confidence %{x:.2f}, covered %{y:.0%}<extra></extra>"))
        if feature != "tempo":
            error.add_trace(go.Scatter(x=x, y=[r["mean_abs_error"] for r in rows], mode="lines+markers", name=feature,
                                       hovertemplate=plot_text(feature) + ": confidence %{x:.2f}, error %{y:.3f}<extra></extra>"))
    cover.add_hline(y=0.9, line_dash="dot", annotation_text="90% promised")
    cover.update_layout(xaxis_title="confidence shown (bin mean)", yaxis_title="real value inside the 90% interval",
                        yaxis_tickformat=".0%", height=340, margin=dict(t=30, b=10))
    error.update_layout(xaxis_title="confidence shown (bin mean)", yaxis_title="mean absolute error (0–1 scale)",
                        height=340, margin=dict(t=30, b=10))
    left, right = st.columns(2)
    left.plotly_chart(cover, width="stretch")
    right.plotly_chart(error, width="stretch")
    tempo = bins.get("tempo")
    if tempo:
        st.caption("Tempo, mean absolute error by confidence bin: "
                   + ", ".join(f"{r['confidence']:.2f} → {r['mean_abs_error']:.1f} BPM" for r in tempo)
                   + ". Predicted tracks only, five equal-count bins, each scored by a calibrator that never saw it.")


def curve(records: list[dict]) -> None:
    frame = pd.DataFrame(records)
    x = "epoch" if "epoch" in frame else "step"
    label = [c for c in ("variant", "arm", "member", "member_seed") if c in frame]
    frame["run"] = frame[label].astype(str).agg(" ".join, axis=1) if label else "run"
    fig = go.Figure()
    for run, part in frame.groupby("run", sort=False):
        for loss, dash in (("train_loss", None), ("val_loss", "dot")):
            if loss in part and part[loss].notna().any():
                fig.add_trace(go.Scatter(x=part[x].tolist(), y=part[loss].tolist(), mode="lines", line_dash=dash,
                                         name=f"{plot_text(run)} {loss.replace('_', ' ')}"))
    fig.update_layout(xaxis_title=x, yaxis_title="loss", height=360, margin=dict(t=30, b=10))
    st.plotly_chart(fig, width="stretch")
    st.caption(f"{len(frame)} records from train_log.jsonl; the last one {frame['seconds'].max():.0f} s after the run started.")


def comparison_chart(card) -> None:
    """The recommender's one chart: one bar per method metrics.json holds (kept apart so methods can come and go)."""
    rows = sorted(card.comparison, key=lambda r: r["value"])
    fig = go.Figure(go.Bar(x=[r["value"] for r in rows], y=[plot_text(r["name"]) for r in rows], orientation="h",
                           marker_color=["#1DB954" if r["ours"] else "#9E9E9E" for r in rows],
                           hovertemplate="%{y}: %{x:.1%}<extra></extra>"))
    fig.update_layout(xaxis_title=plot_text(card.comparison_label), xaxis_tickformat=".0%", height=60 + 28 * len(rows),
                      margin=dict(l=0, r=0, t=10, b=10))
    st.plotly_chart(fig, width="stretch")
    st.caption("Green: the model this card is about; grey: the simple rules it competes with, on the same listeners.")


def developer(card) -> None:
    with st.expander("For developers: the tables, calibration and training curve", expanded=False):
        st.markdown("**Trained on**")
        st.markdown("\n".join(f"- {md(line)}" for line in card.trained_on) or "–")
        if card.command:
            st.caption(f"Written by: {md(card.command)}")
        for t in card.evaluations:
            table(t)
        if card.calibration:
            table(card.calibration)
        if card.reliability:
            reliability(card.reliability)
        st.markdown("**Training curve**")
        if card.curve:
            curve(card.curve)
        else:
            st.info(md(card.curve_note))
        if card.applied_config:
            st.markdown("**The config it was trained with (train_config.json)**")
            st.json(card.applied_config, expanded=False)


tabs = st.tabs([card.title for card in cards])
for tab, card in zip(tabs, cards):
    with tab:
        if card.purpose:
            st.markdown(md(card.purpose))
        if card.trust:
            st.markdown("**How it did against the simple rule it competes with**")
            st.markdown("\n".join(f"- {md(line)}" for line in card.trust))
        for note in card.notes:
            st.warning(md(note))
        if card.comparison:
            comparison_chart(card)
        developer(card)
