"""Figures for the README, drawn from the built tables (matplotlib and networkx: dev extras).

    python scripts/figures.py [--out docs/figures]

- timeline.png: each resolved temporal expression as an earliest-latest bar (a dot for a
  single day, an arrow for an open end), labelled with what it refers to; the interview
  date is marked.
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
except ImportError as error:
    sys.exit(f"scripts/figures.py needs matplotlib and networkx ({error.name} is missing): "
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


def timeline(path: Path) -> None:
    dates = ds.load("dates").sort_values("char_start")
    interview = ds.load("documents").iloc[0].date_published
    eras = [(pd.Timestamp("1990-06-01"), pd.Timestamp("2014-06-01"), 2),
            (pd.Timestamp("2019-11-01"), pd.Timestamp("2022-12-31"), 5)]
    fig, axes = plt.subplots(1, 2, sharey=True, figsize=(13, 7),
                             gridspec_kw={"width_ratios": [w for *_, w in eras], "wspace": 0.04})
    rows = list(range(len(dates)))[::-1]
    for ax, (left, right, _) in zip(axes, eras, strict=True):
        for y, row in zip(rows, dates.itertuples(), strict=True):
            start = left if pd.isna(row.earliest) else row.earliest
            end = right if pd.isna(row.latest) else row.latest
            if end < left or start > right:
                continue
            colour = "#555555" if row.anchor_type == "previous_expression" else "#1f77b4"
            ax.plot([start, end], [y, y], "-", color=colour, linewidth=6, solid_capstyle="butt")
            if (end - start).days < 40:  # too short to see as a bar at this scale
                ax.plot([start + (end - start) / 2], [y], "o", color=colour, markersize=6)
            if pd.isna(row.earliest) and left <= end:
                ax.plot([left], [y], "<", color=colour, markersize=9, clip_on=False)
            if pd.isna(row.latest) and start <= right:
                ax.plot([right], [y], ">", color=colour, markersize=9, clip_on=False)
        ax.set_xlim(left, right)
        ax.axvline(interview, color="#d62728", linestyle="--", linewidth=1)
        ax.grid(axis="x", color="#dddddd")
    axes[0].xaxis.set_major_locator(mdates.YearLocator(5))
    axes[0].xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    axes[1].xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 7)))
    axes[1].xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    axes[1].text(interview, len(dates) - 0.3, "interview 2022-09-14 ", color="#d62728",
                 fontsize=9, va="top", ha="right")
    labels = [f"{row.date_id}  “{shorten(row.surface, 28)}”: {shorten(row.refers_to, 56)}"
              for row in dates.itertuples()]
    axes[0].set_yticks(rows, labels, fontsize=8.5)
    axes[0].spines["right"].set_visible(False)
    axes[1].spines["left"].set_visible(False)
    axes[1].tick_params(axis="y", length=0)
    fig.suptitle("What the interview's temporal expressions point to: earliest–latest "
                 "(dot = short interval, grey = anaphoric, triangle = open end)", fontsize=11)
    fig.savefig(path, dpi=110, bbox_inches="tight", metadata=PNG_METADATA)
    plt.close(fig)


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
    below = set()  # a label that would collide with its neighbour's goes under its node
    ordered = sorted(layout, key=lambda n: (-layout[n][1], layout[n][0]))
    for upper, lower in itertools.combinations(ordered, 2):
        (x1, y1), (x2, y2) = layout[upper], layout[lower]
        if upper not in below and abs(y1 - y2) < 0.08 and abs(x1 - x2) < 0.4:
            below.add(lower)
    for node, (x, y) in layout.items():
        offset = (0, -16) if node in below else (0, 9)
        ax.annotate(names[node], (x, y), xytext=offset, textcoords="offset points",
                    ha="center", fontsize=9,
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


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "figures")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    timeline(args.out / "timeline.png")
    actor_network(args.out / "actor_network.png")
    print(f"wrote timeline.png and actor_network.png to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
