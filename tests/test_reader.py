"""The annotated reader page: built from the committed tables, then driven in headless Chromium.

Which layers the page must show comes from the Table Schemas (their span blocks), the rows from
plain pyarrow reads of the committed files: nothing here names a layer by hand.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from html.parser import HTMLParser

import pyarrow.parquet as pq
import pytest
from conftest import LAYERS, ROOT, SCHEMAS

from rfi_umarov_2022 import registry
from rfi_umarov_2022_build.reader import render

MAX_BYTES = 500_000


def load_inputs() -> tuple[str, dict[str, list[dict]], dict[str, dict]]:
    """Transcript, tables (as pyarrow gives them) and published Table Schemas of the committed data."""
    tables = {p.stem: pq.read_table(p).to_pylist() for p in sorted((ROOT / "dataset").glob("*.parquet"))}
    package = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    schemas = {r["name"]: r["schema"] for r in package["resources"]}
    text = (ROOT / "dataset" / "source" / "transcript.txt").read_text(encoding="utf-8")
    return text, tables, schemas


def build(text: str, tables: dict, schemas: dict) -> str:
    return render(text, tables, schemas, str(tables["documents"][0]["title"]))


def row_id(table: str, row: dict) -> str:
    return "/".join(str(row[k]) for k in SCHEMAS[table]["primaryKey"])


class Elements(HTMLParser):
    """The elements carrying data-t/data-id (one per row), and mention -> mark attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, list[str]] = {}
        self.attrs: dict[tuple[str, str], dict[str, str | None]] = {}
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "data-t" in a and "data-id" in a:
            self.ids.setdefault(str(a["data-t"]), []).append(str(a["data-id"]))
            self.attrs[(str(a["data-t"]), str(a["data-id"]))] = a
        if tag in ("link", "img", "iframe", "object", "embed") or "src" in a:
            self.external.append(tag)


@pytest.fixture(scope="module")
def inputs():
    return load_inputs()


@pytest.fixture(scope="module")
def page(inputs) -> str:
    return build(*inputs)


def parse(page: str) -> Elements:
    p = Elements()
    p.feed(page)
    return p


# ------------------------------------------------------------------ static
def test_deterministic_and_small(inputs, page):
    text, tables, schemas = inputs
    reordered = dict(reversed(list(copy.deepcopy(tables).items())))
    assert build(text, reordered, schemas) == page
    size = len(page.encode("utf-8"))
    assert size <= MAX_BYTES, size


@pytest.mark.parametrize("layer", LAYERS)
def test_one_element_per_row_of_every_layer(layer, inputs, page):
    _, tables, _ = inputs
    found = parse(page)
    assert sorted(found.ids.get(layer, [])) == sorted(row_id(layer, r) for r in tables[layer])


def test_mentions_carry_their_actor_and_utterances_are_in_order(inputs, page):
    _, tables, _ = inputs
    found = parse(page)
    for mention in tables["mentions"]:
        assert found.attrs[("mentions", mention["mention_id"])]["data-m-actor-id"] == mention["actor_id"]
    utterances = [u["utterance_id"] for u in sorted(tables["utterances"], key=lambda u: u["seq"])]
    order = [page.index(f'data-unit="{u}"') for u in utterances]
    assert order == sorted(order), "utterances out of order"


def test_self_contained(page):
    found = parse(page)
    assert found.external == []
    for needle in ("url(", "@import", "http-equiv=\"refresh\"", "<link"):
        assert needle not in page
    assert "default-src 'none'" in page  # the page's own CSP forbids every load


def test_filters_follow_the_schema(inputs):
    """The underline layer's filters are its categorical fields with their values in schema order,
    also a value no row has."""
    text, tables, schemas = copy.deepcopy(inputs)
    underline = next(s for s in registry.layers(schemas) if s.display == "underline")
    field, values = registry.enum_fields(schemas[underline.name])[-1]
    target = registry.field(schemas[underline.name], field)
    target["categories"] = [*values, "brand_new_value"]
    out = build(text, tables, schemas)
    options = out.split(f'data-field="{field}"', 1)[1].split("</select>", 1)[0]
    shown = [chunk.split('"', 1)[0] for chunk in options.split('<option value="')[2:]]
    assert shown == [*values, "brand_new_value"]


def test_crossing_spans_keep_one_element_per_row():
    """Inline spans that cross each other still get one data-id element each, the rest continues."""
    text = "Alpha Beta Gamma Delta"

    def schema(name, fields, key, span=None, fks=()):
        out = {"name": name, "title": name.capitalize(), "primaryKey": key,
               "fields": [{"name": f, "type": "integer" if f.startswith("char") or f == "seq" else "string"}
                          for f in fields],
               "foreignKeys": [{"fields": [c], "reference": {"resource": t, "fields": [k]}}
                               for c, t, k in fks]}
        if span:
            out["span"] = span
        return out

    where = ("utterance_id", "char_start", "char_end")
    IN_UTTERANCE = ("utterance_id", "utterances", "utterance_id")
    schemas = {
        "utterances": schema("utterances", ("utterance_id", "seq", "char_start", "char_end", "text"),
                             ["utterance_id"], {"kind": "segment", "text": "text"}),
        "boxes": schema("boxes", ("box_id", *where, "surface"), ["box_id"],
                        {"kind": "annotation", "text": "surface"}, [IN_UTTERANCE]),
        "waves": schema("waves", ("wave_id", *where, "surface"), ["wave_id"],
                        {"kind": "annotation", "text": "surface"}, [IN_UTTERANCE]),
        "lines": schema("lines", ("line_id", *where, "quote"), ["line_id"],
                        {"kind": "annotation", "text": "quote", "display": "underline"},
                        [IN_UTTERANCE]),
    }
    u = {"utterance_id": "u"}
    tables = {
        "utterances": [{**u, "seq": 0, "char_start": 0, "char_end": len(text), "text": text}],
        "boxes": [{**u, "box_id": "b1", "char_start": 0, "char_end": 10, "surface": text[0:10]}],
        "waves": [{**u, "wave_id": "w1", "char_start": 6, "char_end": 16, "surface": text[6:16]}],
        "lines": [{**u, "line_id": "l1", "char_start": 0, "char_end": 16, "quote": text[:16]},
                  {**u, "line_id": "l2", "char_start": 6, "char_end": 22, "quote": text[6:]}],
    }
    out = render(text, tables, schemas, "t")
    found = parse(out)
    assert {t: len(v) for t, v in found.ids.items()} == {"boxes": 1, "waves": 1, "lines": 2}
    assert "data-cont=" in out


def test_document_block_shows_the_one_row_tables_the_unit_points_at():
    """"About this document" lists the fields of every one-row table the unit table points at,
    whatever the order of its foreign keys: here a two-row table is linked first."""
    text = "Alpha Beta"

    def schema(name, fields, key, span=None, fks=()):
        out = {"name": name, "title": name.capitalize(), "primaryKey": key,
               "fields": [{"name": f, "type": "integer" if f.startswith("char") or f == "seq" else "string",
                           "description": f"The {f}."} for f in fields],
               "foreignKeys": [{"fields": [c], "reference": {"resource": t, "fields": [k]}}
                               for c, t, k in fks]}
        if span:
            out["span"] = span
        return out

    schemas = {
        "speakers": schema("speakers", ("speaker_id", "speaker_name"), ["speaker_id"]),
        "documents": schema("documents", ("document_id", "headline", "outlet"), ["document_id"]),
        "utterances": schema("utterances", ("utterance_id", "seq", "char_start", "char_end", "text",
                                            "speaker_id", "document_id"), ["utterance_id"],
                             {"kind": "segment", "text": "text"},
                             [("speaker_id", "speakers", "speaker_id"),
                              ("document_id", "documents", "document_id")]),
        "boxes": schema("boxes", ("box_id", "utterance_id", "char_start", "char_end", "surface"),
                        ["box_id"], {"kind": "annotation", "text": "surface"},
                        [("utterance_id", "utterances", "utterance_id")]),
    }
    tables = {
        "speakers": [{"speaker_id": "s1", "speaker_name": "One"},
                     {"speaker_id": "s2", "speaker_name": "Two"}],
        "documents": [{"document_id": "d", "headline": "A headline", "outlet": "An outlet"}],
        "utterances": [{"utterance_id": "u", "seq": 0, "char_start": 0, "char_end": len(text), "text": text,
                        "speaker_id": "s1", "document_id": "d"}],
        "boxes": [{"box_id": "b1", "utterance_id": "u", "char_start": 0, "char_end": 5, "surface": "Alpha"}],
    }
    out = render(text, tables, schemas, "t")
    assert "<summary>About this document</summary><dl>" in out
    block = out.split("<summary>About this document</summary><dl>", 1)[1].split("</dl>", 1)[0]
    shown = re.findall(r"<dt[^>]*>([^<]*)</dt>", block)
    assert shown == registry.field_names(schemas["documents"])


# ------------------------------------------------------------------ browser
@pytest.fixture(scope="module")
def browser(page, tmp_path_factory):
    from rfi_umarov_2022_build.reader_screenshot import find_browser, start

    if find_browser() is None:
        pytest.skip("no chromium/chromedriver found (apt-get install chromium chromium-driver)")
    pytest.importorskip("selenium", reason="selenium is not installed")
    path = tmp_path_factory.mktemp("reader") / "reader.html"
    path.write_text(page, encoding="utf-8")
    driver = start(1280, 900, str(tmp_path_factory.mktemp("chromium-profile")))
    driver.get(path.as_uri())
    yield driver, path.as_uri()
    driver.quit()


def js(driver, script: str, *args):
    return driver.execute_script(script, *args)


def details_text(driver) -> str:
    return driver.find_element("id", "details").text


def test_browser_counts_and_no_errors(browser, inputs):
    driver, url = browser
    _, tables, _ = inputs
    for layer in LAYERS:
        count = js(driver, f"return document.querySelectorAll('[data-t=\"{layer}\"][data-id]').length")
        assert count == len(tables[layer]), layer
    severe = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert severe == []
    events = [json.loads(e["message"])["message"] for e in driver.get_log("performance")]
    sent = [ev["params"] for ev in events if ev["method"] == "Network.requestWillBeSent"]
    ours = [p["request"]["url"] for p in sent if p.get("documentURL", "").startswith(url)]
    assert ours, "the performance log recorded no request of the page at all"
    assert all(u.startswith(("file://", "data:")) for u in ours), ours
    assert all(p["request"]["url"].startswith(("file://", "data:", "chrome://", "about:")) for p in sent)
    resources = js(driver, "return performance.getEntriesByType('resource').map(function(e){return e.name})")
    assert resources == []


@pytest.mark.parametrize("layer", LAYERS)
def test_click_opens_each_layer(layer, browser, inputs):
    driver, url = browser
    row = inputs[1][layer][0]
    key = row_id(layer, row)
    driver.get(url)
    element = driver.find_element("css selector", f'[data-t="{layer}"][data-id="{key}"]')
    driver.execute_script("arguments[0].scrollIntoView({block:'center'})", element)
    # a click on the element itself: nested spans of other layers may cover its centre
    driver.execute_script("arguments[0].click()", element)
    shown = details_text(driver)
    assert key in shown and row[SCHEMAS[layer]["span"]["text"]][:40] in shown.replace("\n", " ")


def test_fragment_opens_a_row(browser, inputs):
    driver, url = browser
    claims = {c["claim_id"]: c for c in inputs[1]["claims"]}
    target = sorted(claims)[len(claims) // 2]
    driver.get("about:blank")
    driver.get(f"{url}#{target}")
    text = details_text(driver)
    assert target in text and claims[target]["paraphrase"] in text
    cur = js(driver, "var e=document.querySelector('.cur');return e&&e.getAttribute('data-id')")
    assert cur == target


def test_marking_an_actor_marks_exactly_its_mentions_and_claims(browser, inputs):
    from selenium.webdriver.support.select import Select

    driver, url = browser
    tables = inputs[1]
    actor = Counter(m["actor_id"] for m in tables["mentions"]).most_common(1)[0][0]
    driver.get(url)
    Select(driver.find_element("css selector", 'select[data-mark="actors"]')).select_by_value(actor)
    marked = js(driver, "return [].map.call(document.querySelectorAll('[data-t=mentions].hit'),"
                        "function(e){return e.getAttribute('data-id')})")
    assert sorted(marked) == sorted(m["mention_id"] for m in tables["mentions"] if m["actor_id"] == actor)
    claims = js(driver, "return [].map.call(document.querySelectorAll('.cm.hit'),"
                        "function(e){return e.getAttribute('data-id')})")
    linked = {ca["claim_id"] for ca in tables["claim_actors"] if ca["actor_id"] == actor}
    assert sorted(claims) == sorted(linked)
    Select(driver.find_element("css selector", 'select[data-mark="actors"]')).select_by_value("")
    assert js(driver, "return document.querySelectorAll('main .hit').length") == 0


def test_claim_filter_and_layer_toggle(browser, inputs):
    from selenium.webdriver.support.select import Select

    driver, url = browser
    claims = inputs[1]["claims"]
    driver.get(url)
    kind = Counter(c["claim_type"] for c in claims).most_common()[-1][0]
    Select(driver.find_element("id", "f-claim_type")).select_by_value(kind)
    shown = js(driver, "return document.querySelectorAll('.cm[data-t=claims]:not([hidden])').length")
    assert shown == sum(c["claim_type"] == kind for c in claims)
    driver.find_element("id", "f-reset").click()
    assert js(driver, "return document.querySelectorAll('.cm[hidden]').length") == 0
    inline = next(layer for layer in LAYERS if SCHEMAS[layer]["span"].get("display") != "underline")
    driver.find_element("css selector", f'[data-layer="{inline}"]').click()
    assert js(driver, f"return document.querySelectorAll('[data-t={inline}][tabindex=\"0\"]').length") == 0


def test_keyboard_reaches_and_opens_a_claim(browser, inputs):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver, url = browser
    driver.get("about:blank")
    driver.get(url)
    claim = None
    for _ in range(80):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        claim = js(driver, "var e=document.activeElement;"
                           "return e.classList.contains('cm')&&e.getAttribute('data-id')")
        if claim:
            break
    assert claim, "Tab never reached a claim"
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    paraphrase = next(c["paraphrase"] for c in inputs[1]["claims"] if c["claim_id"] == claim)
    assert paraphrase in details_text(driver)


def test_the_page_fits_narrow_screens_and_the_text_starts_high(browser):
    """At 400 px nothing is wider than the window; at 1280x900 the text starts in the upper half."""
    driver, url = browser
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 400, "height": 800, "deviceScaleFactor": 1, "mobile": False})
    try:
        driver.get(url)
        width = js(driver, "return document.documentElement.scrollWidth")
        assert width <= 400, width
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})
        driver.get(url)
        top = js(driver, "return document.querySelector('main .utt').getBoundingClientRect().top")
        assert top < 450, top
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
