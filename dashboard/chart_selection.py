"""What a click, box or lasso on a Plotly chart selected, read from `st.plotly_chart(on_select=...)`.

Plotly ships numeric `custom_data` as a typed array; the browser hands each point's row of it back
as a typed array too, which JSON turns into an object keyed by position ({"0": 7}), not a list ([7]).
Reading `point["customdata"][0]` then fails with KeyError: 0, so every page reads selections here.
"""

from __future__ import annotations


def custom_values(event, position: int = 0) -> list:
    """The `position`-th custom_data value of every selected point, in selection order (points without
    custom data, e.g. a grey context trace, are skipped)."""
    values = []
    for point in event.selection.points:
        data = point.get("customdata")
        if isinstance(data, dict):  # a typed-array row, serialised as {"0": v0, "1": v1, ...}
            data = [data[k] for k in sorted(data, key=int)]
        elif data is not None and not isinstance(data, (list, tuple)):
            data = [data]  # a single custom value Plotly sent unwrapped
        if data is not None and len(data) > position:
            values.append(data[position])
    return values
