"""The annotated reader page: built from the committed tables, then driven in headless Chromium."""

from __future__ import annotations

import copy
import json
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from rfi_umarov_2022_build.reader import render

ROOT = Path(__file__).resolve().parent.parent

LAYERS = {"claims": "data-claim-id", "mentions": "data-mention-id", "dates": "data-date-id",
          "notes": "data-note-id"}
MAX_BYTES = 500_000


def load_inputs() -> tuple[str, dict[str, list[dict]], dict[str, dict]]:
    """Transcript, tables (as pyarrow gives them) and Table Schemas of the committed dataset."""
    pq = pytest.importorskip("pyarrow.parquet")
    tables = {p.stem: pq.read_table(p).to_pylist() for p in sorted((ROOT / "dataset").glob("*.parquet"))}
    package = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    schemas = {r["name"]: r["schema"] for r in package["resources"]}
    text = (ROOT / "dataset" / "source" / "transcript.txt").read_text(encoding="utf-8")
    return text, tables, schemas


def build(text: str, tables: dict, schemas: dict) -> str:
    return render(text, tables, schemas, str(tables["documents"][0]["title"]))


class Elements(HTMLParser):
    """Counts the elements carrying each data attribute, and collects mention → actor."""

    def __init__(self) -> None:
        super().__init__()
        self.count: Counter[str] = Counter()
        self.ids: dict[str, list[str]] = {a: [] for a in LAYERS.values()}
        self.actor_of: dict[str, str | None] = {}
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for attr in LAYERS.values():
            if attr in a:
                self.ids[attr].append(str(a[attr]))
        if "data-mention-id" in a:
            self.actor_of[str(a["data-mention-id"])] = a.get("data-actor-id")
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
    assert build(text, reordered, dict(reversed(list(schemas.items())))) == page
    size = len(page.encode("utf-8"))
    assert size <= MAX_BYTES, size


def test_one_element_per_row(inputs, page):
    _, tables, _ = inputs
    found = parse(page)
    for table, attr in LAYERS.items():
        ids = [str(r[attr[5:-3].replace("-", "_") + "_id"]) for r in tables[table]]
        assert sorted(found.ids[attr]) == sorted(ids), table
    assert found.actor_of == {m["mention_id"]: m["actor_id"] for m in tables["mentions"]}
    utterances = [u["utterance_id"] for u in sorted(tables["utterances"], key=lambda u: u["seq"])]
    order = [page.index(f'data-utterance-id="{u}"') for u in utterances]
    assert order == sorted(order), "utterances out of order"


def test_self_contained(page):
    found = parse(page)
    assert found.external == []
    for needle in ("url(", "@import", "http-equiv=\"refresh\"", "<link"):
        assert needle not in page
    assert "default-src 'none'" in page  # the page's own CSP forbids every load


def test_vocabularies_from_schema(inputs):
    """Filters and legend follow the schema's enum, also when given as v2 categories; extra columns show."""
    text, tables, schemas = copy.deepcopy(inputs)
    claims = schemas["claims"]
    topic = next(f for f in claims["fields"] if f["name"] == "topic")
    topic["constraints"].pop("enum", None)
    topic["categories"] = [*topic["categories"], "brand_new_topic"]
    for row in tables["claims"]:
        row["frame_claim_id"] = None
        row["hedge_start"] = None
    for row in tables["claim_dates"]:
        row["relation"] = "during"
    for row in tables["notes"]:
        row["sentence_id"] = None
    out = build(text, tables, schemas)
    assert 'value="brand_new_topic"' in out
    data = json.loads(out.split('id="reader-data">', 1)[1].split("</script>", 1)[0].replace("<\\/", "</"))
    assert "frame_claim_id" in data["columns"]["claims"] and "relation" in data["columns"]["claim_dates"]
    assert "sentence_id" in data["columns"]["notes"]
    assert sorted(parse(out).ids["data-claim-id"]) == sorted(c["claim_id"] for c in tables["claims"])


def test_crossing_spans_keep_one_element_per_row():
    """Inline spans that cross each other still get one data-*-id element each, the rest continues."""
    text = "Alpha Beta Gamma Delta"
    span = {"utterance_id": "u", "sentence_id": "u-s01"}
    tables = {
        "utterances": [{"utterance_id": "u", "seq": 0, "kind": "answer", "speaker_id": None,
                        "char_start": 0, "char_end": len(text)}],
        "mentions": [{**span, "mention_id": "u-m01", "actor_id": "x", "char_start": 0, "char_end": 10,
                      "surface": text[0:10], "mention_type": "name"}],
        "notes": [{"utterance_id": "u", "note_id": "n01", "char_start": 6, "char_end": 16,
                   "surface": text[6:16], "note_type": "spelling"}],
        "dates": [{**span, "date_id": "t01", "char_start": 11, "char_end": 22, "surface": text[11:22]}],
        "claims": [{**span, "claim_id": "c001", "char_start": 0, "char_end": 16, "claim_type": "fact"},
                   {**span, "claim_id": "c002", "char_start": 6, "char_end": 22, "claim_type": "odd"}],
        "actors": [{"actor_id": "x", "name": "X"}],
    }
    out = render(text, tables, {}, "t")
    found = parse(out)
    assert [len(found.ids[a]) for a in LAYERS.values()] == [2, 1, 1, 1]
    assert "data-cont=" in out


# ------------------------------------------------------------------ browser
@pytest.fixture(scope="module")
def browser(page, tmp_path_factory):
    from rfi_umarov_2022_build.reader_screenshot import find_browser, start

    if find_browser() is None:
        pytest.skip("no chromium/chromedriver found (apt-get install chromium chromium-driver)")
    pytest.importorskip("selenium", reason="selenium is not installed")
    path = tmp_path_factory.mktemp("reader") / "reader.html"
    path.write_text(page, encoding="utf-8")
    driver = start(1280, 1000, str(tmp_path_factory.mktemp("chromium-profile")))
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
    for table, attr in LAYERS.items():
        assert js(driver, f"return document.querySelectorAll('[{attr}]').length") == len(tables[table]), table
    severe = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert severe == []
    events = [json.loads(e["message"])["message"] for e in driver.get_log("performance")]
    sent = [ev["params"] for ev in events if ev["method"] == "Network.requestWillBeSent"]
    ours = [p["request"]["url"] for p in sent if p.get("documentURL", "").startswith(url)]
    assert ours, "the performance log recorded no request of the page at all"
    assert all(u.startswith(("file://", "data:")) for u in ours), ours
    # nothing at all left the machine: the browser's own start page is chrome://, the rest file://
    assert all(p["request"]["url"].startswith(("file://", "data:", "chrome://", "about:")) for p in sent)
    resources = js(driver, "return performance.getEntriesByType('resource').map(function(e){return e.name})")
    assert resources == []


def test_click_claim_shows_paraphrase(browser, inputs):
    driver, _ = browser
    first = inputs[1]["claims"][0]
    driver.find_element("css selector", f'[data-claim-id="{first["claim_id"]}"]').click()
    assert first["paraphrase"] in details_text(driver)
    assert first["certainty"] in details_text(driver)


def test_fragment_opens_claim(browser, inputs):
    driver, url = browser
    claims = {c["claim_id"]: c for c in inputs[1]["claims"]}
    target = "c081" if "c081" in claims else sorted(claims)[-1]
    driver.get("about:blank")
    driver.get(f"{url}#{target}")
    text = details_text(driver)
    assert f"Claim {target}" in text and claims[target]["paraphrase"] in text
    cur = js(driver, "var e=document.querySelector('.cur');return e&&e.getAttribute('data-claim-id')")
    assert cur == target


def test_actor_filter_marks_exactly_its_mentions(browser, inputs):
    from selenium.webdriver.support.select import Select

    driver, url = browser
    tables = inputs[1]
    actor = "russia"
    driver.get(url)
    Select(driver.find_element("id", "f-actor")).select_by_value(actor)
    marked = js(driver, "return [].map.call(document.querySelectorAll('[data-mention-id].hit'),"
                        "function(e){return e.getAttribute('data-mention-id')})")
    expected = [m["mention_id"] for m in tables["mentions"] if m["actor_id"] == actor]
    assert expected and sorted(marked) == sorted(expected)
    claims = js(driver, "return [].map.call(document.querySelectorAll('[data-claim-id].hit'),"
                        "function(e){return e.getAttribute('data-claim-id')})")
    about = {ca["claim_id"] for ca in tables["claim_actors"] if ca["actor_id"] == actor}
    assert sorted(claims) == sorted(about)
    Select(driver.find_element("id", "f-actor")).select_by_value("")
    assert js(driver, "return document.querySelectorAll('main .hit').length") == 0


def test_claim_filter_and_layer_toggle(browser, inputs):
    from selenium.webdriver.support.select import Select

    driver, url = browser
    claims = inputs[1]["claims"]
    driver.get(url)
    kind = Counter(c["claim_type"] for c in claims).most_common()[-1][0]
    Select(driver.find_element("id", "f-claim_type")).select_by_value(kind)
    shown = js(driver, "return document.querySelectorAll('[data-claim-id]:not([hidden])').length")
    assert shown == sum(c["claim_type"] == kind for c in claims)
    driver.find_element("id", "f-reset").click()
    assert js(driver, "return document.querySelectorAll('[data-claim-id][hidden]').length") == 0
    driver.find_element("css selector", '[data-layer="mentions"]').click()
    assert js(driver, "return document.body.classList.contains('no-mentions')")
    assert js(driver, "return document.querySelectorAll('[data-mention-id][tabindex=\"0\"]').length") == 0


def test_keyboard_reaches_and_opens_a_claim(browser, inputs):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver, url = browser
    driver.get("about:blank")
    driver.get(url)
    claim = None
    for _ in range(80):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        claim = js(driver, "return document.activeElement.getAttribute('data-claim-id')")
        if claim:
            break
    assert claim, "Tab never reached a claim"
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    paraphrase = next(c["paraphrase"] for c in inputs[1]["claims"] if c["claim_id"] == claim)
    assert paraphrase in details_text(driver)
    assert js(driver, "return !!document.querySelector('[data-claim-id].cur')")
