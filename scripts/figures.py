"""Figures for the README, drawn from the built tables (matplotlib, networkx, scipy: the slow extra).

    python scripts/figures.py [--out docs/figures]

- timeline.png: each resolved temporal expression as an earliest-latest bar (a dot for a
  single day, an arrow for an open end), labelled with what it refers to; the interview
  date is marked.
- events.png: each event's verified bounds the same way, coloured by kind, with its PLOVER type
  and the number of claims linked to it.
- actor_network.png: actors linked when they appear in the same claim; edge width is the
  number of shared claims, node colour the actor type, node size the number of claims.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    import networkx as nx
    import pandas as pd
    import scipy  # noqa: F401  (networkx's Kamada-Kawai layout needs it)
except ImportError as error:
    sys.exit(f"scripts/figures.py needs matplotlib, networkx and scipy ({error.name} is missing): "
             ".venv/bin/python -m pip install -c constraints.txt -e '.[slow]'")

import rfi_umarov_2022 as ds

ROOT = Path(__file__).resolve().parent.parent

PNG_METADATA = {"Software": None}  # no version stamp: same data, same file
PALETTE = ["#1f77b4", "#17becf", "#d62728", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#2ca02c",
           "#7f7f7f", "#bcbd22"]


def type_colours() -> dict[str, str]:
    """One colour per actor type, in the schema's category order (no vocabulary typed here)."""
    types = ds.load("actors")["actor_type"].cat.categories
    return {value: PALETTE[i % len(PALETTE)] for i, value in enumerate(types)}


ERAS = [(pd.Timestamp("1990-06-01"), pd.Timestamp("2014-06-01"), 2),
        (pd.Timestamp("2019-11-01"), pd.Timestamp("2022-12-31"), 5)]


def intervals(rows: list[tuple[str, object, object, str]], title: str, path: Path,
              legend: dict[str, str]) -> None:
    """Bars earliest-latest on a broken time axis (an early and a recent era), one per row of
    (label, earliest, latest, colour): a dot for a short interval, a triangle where the bar is
    open or runs past the axis; the interview date is marked."""
    interview = ds.load("documents").iloc[0].date_published
    fig, axes = plt.subplots(1, 2, sharey=True, figsize=(13, 0.4 * len(rows) + 1.2),
                             gridspec_kw={"width_ratios": [w for *_, w in ERAS], "wspace": 0.04})
    ys = list(range(len(rows)))[::-1]
    for panel, (ax, (left, right, _)) in enumerate(zip(axes, ERAS, strict=True)):
        first, last = panel == 0, panel == len(ERAS) - 1  # a bar crossing the break has no triangle
        for y, (_, earliest, latest, colour) in zip(ys, rows, strict=True):
            start = left if pd.isna(earliest) else max(earliest, left)
            end = right if pd.isna(latest) else min(latest, right)
            if end < left or start > right or start > end:
                continue
            ax.plot([start, end], [y, y], "-", color=colour, linewidth=6, solid_capstyle="butt")
            if (end - start).days < 40:  # too short to see as a bar at this scale
                ax.plot([start + (end - start) / 2], [y], "o", color=colour, markersize=6)
            if first and (pd.isna(earliest) or earliest < left):
                ax.plot([left], [y], "<", color=colour, markersize=9, clip_on=False)
            if last and (pd.isna(latest) or latest > right):
                ax.plot([right], [y], ">", color=colour, markersize=9, clip_on=False)
        ax.set_xlim(left, right)
        ax.axvline(interview, color="#d62728", linestyle="--", linewidth=1)
        ax.grid(axis="x", color="#dddddd")
    axes[0].xaxis.set_major_locator(mdates.YearLocator(5))
    axes[0].xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    axes[1].xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 7)))
    axes[1].xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    axes[1].text(interview, len(rows) - 0.3, f"interview {interview:%Y-%m-%d} ", color="#d62728",
                 fontsize=9, va="top", ha="right")
    axes[0].set_yticks(ys, [label for label, *_ in rows], fontsize=8.5)
    axes[0].spines["right"].set_visible(False)
    axes[1].spines["left"].set_visible(False)
    axes[1].tick_params(axis="y", length=0)
    for name, colour in legend.items():
        axes[1].plot([], [], "-", color=colour, linewidth=6, label=name)
    axes[1].legend(loc="lower left", fontsize=8.5, frameon=False)
    fig.suptitle(f"{title} (dot = short interval, triangle = open or beyond the axis)", fontsize=11)
    fig.savefig(path, dpi=110, bbox_inches="tight", metadata=PNG_METADATA)
    plt.close(fig)


def timeline(path: Path) -> None:
    """Each temporal expression's resolved interval."""
    colours = {"anaphoric": "#555555", "resolved from the text or the interview date": "#1f77b4"}
    rows = [(f"{row.date_id}  “{shorten(row.surface, 28)}”: {shorten(row.refers_to, 56)}",
             row.earliest, row.latest,
             colours["anaphoric" if row.anchor_type == "previous_expression" else
                     "resolved from the text or the interview date"])
            for row in ds.load("dates").sort_values("char_start").itertuples()]
    intervals(rows, "What the interview's temporal expressions point to: earliest–latest", path,
              colours)


def events_timeline(path: Path) -> None:
    """Each event's verified bounds, coloured by kind, with the number of claims linked to it."""
    events = ds.load("events").sort_values(["earliest", "latest"], na_position="first")
    claims = ds.load("claim_events").groupby("event_id", observed=True).size()
    kinds = events["event_kind"].cat.categories
    colours = {kind: PALETTE[i % len(PALETTE)] for i, kind in enumerate(kinds)}
    rows = [(f"{shorten(row.label, 60)}  [{row.plover_type if pd.notna(row.plover_type) else '–'}, "
             f"{plural(int(claims.get(row.event_id, 0)), 'claim')}]", row.earliest, row.latest,
             colours[row.event_kind]) for row in events.itertuples()]
    intervals(rows, "The events the interview refers to: verified bounds, PLOVER type, claims "
              "about them", path, {k: c for k, c in colours.items() if (events.event_kind == k).any()})


def actor_network(path: Path) -> None:
    claims = ds.load("claims")
    about_events = claims[claims.topic != "meta"].claim_id  # leave out claims about the interview
    links = ds.load("claim_actors")
    links = links[links.claim_id.isin(about_events)]
    actors = ds.load("actors").set_index("actor_id")
    graph = nx.Graph()
    for actor_id, n in links.groupby("actor_id", observed=True).size().items():
        graph.add_node(actor_id, claims=int(n), kind=str(actors.loc[actor_id, "actor_type"]))
    for _, group in links.groupby("claim_id", observed=True):
        for a, b in itertools.combinations(sorted(group.actor_id), 2):
            weight = graph.edges[a, b]["weight"] + 1 if graph.has_edge(a, b) else 1
            graph.add_edge(a, b, weight=weight)
    distance = {(a, b): 1 / d["weight"] ** 0.5 for a, b, d in graph.edges(data=True)}
    nx.set_edge_attributes(graph, distance, "distance")
    layout = nx.kamada_kawai_layout(graph, weight="distance")
    fig, ax = plt.subplots(figsize=(13, 11))
    widths = [0.4 + 0.7 * graph.edges[e]["weight"] for e in graph.edges]
    nx.draw_networkx_edges(graph, layout, ax=ax, width=widths, edge_color="#c8c8c8")
    nx.draw_networkx_nodes(graph, layout, ax=ax,
                           node_size=[60 + 18 * graph.nodes[n]["claims"] for n in graph],
                           node_color=[type_colours()[graph.nodes[n]["kind"]] for n in graph])
    names = {n: shorten(str(actors.loc[n, "name"]), 24) for n in graph}
    for node, (offset, align) in place_labels(ax, layout, names, graph).items():
        ax.annotate(names[node], layout[node], xytext=offset, textcoords="offset points",
                    ha=align, va="center", fontsize=9,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    for kind, colour in type_colours().items():
        if any(graph.nodes[n]["kind"] == kind for n in graph):
            ax.scatter([], [], color=colour, label=kind.replace("_", " "))
    ax.legend(loc="upper left", fontsize=9, frameon=False)
    ax.set_title("Actors linked when they appear in the same claim (claims about the interview "
                 "itself left out)\nedge width = shared claims, node size = claims", fontsize=11)
    ax.axis("off")
    ax.margins(0.08)
    fig.savefig(path, dpi=100, bbox_inches="tight", metadata=PNG_METADATA)
    plt.close(fig)


def place_labels(ax, layout, names, graph) -> dict[str, tuple[tuple[int, int], str]]:
    """A label position per node (offset in points, horizontal alignment), chosen greedily,
    biggest nodes first, as the first of above, below, right, left whose box overlaps no
    label placed before and no node; above if none is free."""
    ax.figure.canvas.draw()
    to_px = ax.transData.transform
    scale = ax.figure.dpi / 72
    nodes = {n: (*to_px(layout[n]), 0.5 * (60 + 18 * graph.nodes[n]["claims"]) ** 0.5 * scale)
             for n in layout}
    placed: list[tuple[float, float, float, float]] = []
    choice = {}
    for node in sorted(layout, key=lambda n: -graph.nodes[n]["claims"]):
        x, y, radius = nodes[node]
        width, height = 5.4 * scale * len(names[node]), 12 * scale
        gap = radius / scale + 3
        options = [((0, gap + 5), "center"), ((0, -gap - 5), "center"),
                   ((gap + 2, 0), "left"), ((-gap - 2, 0), "right")]
        for offset, align in options:
            cx, cy = x + offset[0] * scale, y + offset[1] * scale
            left = cx - width / 2 if align == "center" else cx if align == "left" else cx - width
            box = (left, cy - height / 2, left + width, cy + height / 2)
            clash = any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                        for b in placed)
            clash = clash or any(box[0] - r < nx_ < box[2] + r and box[1] - r < ny < box[3] + r
                                 for other, (nx_, ny, r) in nodes.items() if other != node)
            if not clash:
                break
        else:
            offset, align = options[0]
            cx, cy = x, y + offset[1] * scale
            box = (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
        placed.append(box)
        choice[node] = (offset, align)
    return choice


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "figures")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    timeline(args.out / "timeline.png")
    events_timeline(args.out / "events.png")
    actor_network(args.out / "actor_network.png")
    print(f"wrote timeline.png, events.png and actor_network.png to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
