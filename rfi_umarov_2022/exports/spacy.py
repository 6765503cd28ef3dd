"""spaCy: a DocBin (one Doc per utterance, every span table as a span group) and ``alignment.tsv``."""

from __future__ import annotations

from pathlib import Path

from rfi_umarov_2022 import descriptor as dp
from rfi_umarov_2022.exports.common import ExportReport


def write_spacy(target: Path, tables: list[str], report: ExportReport) -> None:
    """A spaCy DocBin and ``alignment.tsv``, which lists the spans off token boundaries."""
    from spacy.tokens import DocBin

    from rfi_umarov_2022.nlp import convert

    conversion = convert()
    name = f"{dp.descriptor()['name']}.spacy"
    DocBin(docs=conversion.docs, store_user_data=True).to_disk(target / name)
    report.files.append(name)
    with (target / "alignment.tsv").open("w", encoding="utf-8", newline="\n") as handle:
        handle.write("layer\tid\tquote\tspacy_text\treason\n")
        for p in conversion.misaligned:
            handle.write("\t".join([p.layer, p.span_id, p.quote, p.spacy_text, p.reason]) + "\n")
    report.files.append("alignment.tsv")
    report.tables = conversion.carried
    dropped = [t for t in tables if t not in conversion.carried]
    if dropped:
        report.leave_out(f"{', '.join(dropped)} (no span of a Doc refers to their rows)")
    report.notes.append("every row's fields are in doc.user_data['rows'], link tables in "
                        "doc.user_data['links']")
    if conversion.misaligned:
        listed = ", ".join(f"{p.layer}:{p.span_id}" for p in conversion.misaligned)
        n = len(conversion.misaligned)
        report.notes.append(f"{n} {'span' if n == 1 else 'spans'} not on token boundaries, expanded "
                            f"(alignment.tsv): {listed}")
    else:
        report.notes.append("every span is on token boundaries")
