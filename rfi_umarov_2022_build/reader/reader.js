/* The reader page's script: details panel, marks, filters and layer toggles.
   Everything it knows about the tables comes from the JSON in #reader-data (see model.py). */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("reader-data").textContent);
  var T = D.tables, BY = {}, U = D.underline;
  var OPENABLE = D.layers.map(function (l) { return l.table; })
    .concat(D.marks.map(function (m) { return m.table; }));
  function rowId(table, row) {
    return (D.pk[table] || []).map(function (k) { return String(row[k]); }).join("/");
  }
  Object.keys(T).forEach(function (t) {
    if (!(D.pk[t] || []).length) { return; }
    BY[t] = {};
    T[t].forEach(function (r) { BY[t][rowId(t, r)] = r; });
  });
  var LAYER = {};
  D.layers.forEach(function (l) { LAYER[l.table] = l; });
  var body = document.getElementById("details-body"), panel = document.getElementById("details");
  var status = document.getElementById("status");
  var markers = {};
  if (U) {
    document.querySelectorAll('.cm[data-t="' + U + '"]').forEach(function (e) {
      markers[e.getAttribute("data-id")] = e;
    });
  }
  var segs = [].slice.call(document.querySelectorAll(".s[data-c]"));
  segs.forEach(function (s) { s._c = s.getAttribute("data-c").split(" "); });
  var state = { marks: {}, filters: {}, current: null };
  var ENT = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" };

  function esc(v) { return String(v).replace(/[&<>"]/g, function (c) { return ENT[c]; }); }
  function human(c) { return c.replace(/_/g, " "); }
  function typeIndex(row) {
    var i = D.label ? D.types.indexOf(row[D.label]) : 0;
    return i < 0 ? D.types.length : i;
  }
  function el(table, id) {
    return document.querySelector('[data-t="' + table + '"][data-id="' + CSS.escape(id) + '"]');
  }
  function find(id) {
    for (var i = 0; i < OPENABLE.length; i++) {
      if (BY[OPENABLE[i]] && BY[OPENABLE[i]][id]) { return OPENABLE[i]; }
    }
    return null;
  }
  function desc(table, f) { var x = (D.fields[table] || {})[f]; return x ? x.description : ""; }
  function label(table, id) {
    var r = (BY[table] || {})[id];
    if (!r) { return String(id); }
    if (LAYER[table]) { return id + " “" + r[LAYER[table].text] + "”"; }
    return r.name || r.label || String(id);
  }
  function openable(table, id) { return OPENABLE.indexOf(table) >= 0 && BY[table] && BY[table][id]; }
  function link(table, id, text) {
    var shown = text == null ? label(table, id) : text;
    if (!openable(table, id)) { return esc(shown); }
    return '<button type="button" class="ln" data-go="' + esc(table) + ":" + esc(id) + '">' + esc(shown) + "</button>";
  }
  function fkOf(table, col) {
    var fk = (D.fk[table] || {})[col];
    return fk && (D.pk[fk[0]] || []).length === 1 && D.pk[fk[0]][0] === fk[1] ? fk[0] : null;
  }
  function value(table, col, v) {
    if (v === null || v === undefined || v === "") { return '<span class="null">—</span>'; }
    var target = fkOf(table, col);
    return target ? link(target, String(v)) : esc(v);
  }
  function fieldList(table, row, skip) {
    var h = "<dl>";
    (D.columns[table] || Object.keys(row)).forEach(function (c) {
      if (skip && skip.indexOf(c) >= 0) { return; }
      h += '<dt title="' + esc(desc(table, c)) + '">' + esc(human(c)) + "</dt><dd>" + value(table, c, row[c]) + "</dd>";
    });
    return h + "</dl>";
  }
  // rows of other tables that point at this row through a one-column foreign key
  function referrers(table, id) {
    var out = [];
    Object.keys(D.fk).sort().forEach(function (t) {
      Object.keys(D.fk[t]).sort().forEach(function (f) {
        if (fkOf(t, f) !== table) { return; }
        var rows = (T[t] || []).filter(function (r) { return String(r[f]) === String(id); });
        if (rows.length) { out.push({ table: t, field: f, rows: rows }); }
      });
    });
    return out;
  }
  var SKIP = ["char_start", "char_end"];
  function rowLine(t, f, r) {
    // an openable row is a link (with its paraphrase where it has one); a link-table row shows its
    // other keys as links, then its other columns
    var id = rowId(t, r);
    if (openable(t, id)) { return link(t, id) + (r.paraphrase ? ": " + esc(r.paraphrase) : ""); }
    var parts = [];
    (D.columns[t] || Object.keys(r)).forEach(function (c) {
      if (c === f || r[c] === null || r[c] === undefined || SKIP.indexOf(c) >= 0) { return; }
      var target = fkOf(t, c);
      if (target) { parts.push(link(target, String(r[c]))); return; }
      parts.push('<span title="' + esc(desc(t, c)) + '">' + esc(human(c)) + ": " + esc(r[c]) + "</span>");
    });
    return parts.join(", ");
  }
  function overlapping(table, row) {
    var out = [];
    D.layers.forEach(function (l) {
      if (l.table === table) { return; }
      (T[l.table] || []).forEach(function (r) {
        if (r.char_start < row.char_end && row.char_start < r.char_end) { out.push([l.table, r]); }
      });
    });
    return out;
  }
  function section(title, items) {
    if (!items.length) { return ""; }
    return "<h3>" + esc(title) + "</h3><ul>" + items.map(function (x) { return "<li>" + x + "</li>"; }).join("") + "</ul>";
  }
  function refSections(table, id) {
    var h = "";
    referrers(table, id).forEach(function (g) {
      var name = (D.titles[g.table] || g.table) + (g.table === table ? " (" + human(g.field) + ")" : "");
      if (LAYER[g.table] && g.table !== U) {
        h += "<h3>" + esc(name) + " · " + g.rows.length + "</h3><p>" + g.rows.map(function (r) {
          return '<span class="chip">' + link(g.table, rowId(g.table, r)) + "</span>";
        }).join("") + "</p>";
      } else {
        h += section(name, g.rows.map(function (r) { return rowLine(g.table, g.field, r); }));
      }
    });
    return h;
  }
  // the row's text, with the spans of rows that belong to it (a claim's cues) marked
  function quoteHtml(table, row) {
    var text = row[LAYER[table].text], id = rowId(table, row), cuts = [];
    D.layers.forEach(function (l) {
      Object.keys(D.fk[l.table] || {}).forEach(function (f) {
        if (fkOf(l.table, f) !== table) { return; }
        (T[l.table] || []).forEach(function (r) {
          if (String(r[f]) === id && r.char_start >= row.char_start && r.char_end <= row.char_end) {
            cuts.push([r.char_start - row.char_start, r.char_end - row.char_start, l.title]);
          }
        });
      });
    });
    cuts.sort(function (a, b) { return a[0] - b[0]; });
    var h = "", at = 0;
    cuts.forEach(function (c) {
      if (c[0] < at) { return; }
      h += esc(text.slice(at, c[0])) + '<mark title="' + esc(c[2]) + '">' + esc(text.slice(c[0], c[1])) + "</mark>";
      at = c[1];
    });
    return "<blockquote>" + h + esc(text.slice(at)) + "</blockquote>";
  }
  function inText(table, row) {
    var groups = {};
    overlapping(table, row).forEach(function (x) {
      if (x[0] === U) { return; }
      (groups[x[0]] = groups[x[0]] || []).push(x[1]);
    });
    return Object.keys(groups).map(function (t) {
      return section(D.titles[t] + " in its text", groups[t].map(function (r) {
        return link(t, rowId(t, r));
      }));
    }).join("");
  }
  function show(table, id, opts) {
    opts = opts || {};
    var row = (BY[table] || {})[id];
    if (!row) { return false; }
    var h = "<h2>" + esc(D.titles[table] || table) + " · " + esc(id) + "</h2>";
    if (LAYER[table]) {
      h += quoteHtml(table, row);
      if (row.paraphrase) { h += "<p><strong>" + esc(row.paraphrase) + "</strong></p>"; }
      h += fieldList(table, row, [LAYER[table].text, "paraphrase"]);
      h += refSections(table, id);
      if (table === U) {
        h += inText(table, row);
      } else if (U) {
        h += section(D.titles[U] + " over this text", overlapping(table, row).filter(function (x) {
          return x[0] === U;
        }).map(function (x) {
          return link(U, rowId(U, x[1])) + (x[1].paraphrase ? ": " + esc(x[1].paraphrase) : "");
        }));
      }
    } else {
      h += '<p><button type="button" class="ln" data-mark="' + esc(table) + ":" + esc(id) + '">' +
        "Mark it in the text</button></p>";
      h += fieldList(table, row);
      h += refSections(table, id);
    }
    body.innerHTML = h;
    panel.classList.add("has");
    if (state.current) { state.current.classList.remove("cur"); }
    segs.forEach(function (s) { s.classList.remove("sel"); });
    var e = el(table, id);
    state.current = e;
    if (e) { e.classList.add("cur"); }
    if (table === U) { segs.forEach(function (s) { if (s._c.indexOf(id) >= 0) { s.classList.add("sel"); } }); }
    if (e && opts.scroll) { e.scrollIntoView({ block: "center" }); }
    if (opts.hash !== false) { history.replaceState(null, "", "#" + encodeURIComponent(id)); }
    panel.scrollTop = 0;
    return true;
  }
  function visible(id) {
    var r = BY[U][id];
    if (!r) { return false; }
    return Object.keys(state.filters).every(function (f) { return !state.filters[f] || String(r[f]) === state.filters[f]; });
  }
  function paint() {
    var about = {}, spans = 0, names = [];
    D.marks.forEach(function (m) {
      var chosen = state.marks[m.table];
      m.spans.forEach(function (s) {
        var attr = "data-m-" + s[1].replace(/_/g, "-");
        document.querySelectorAll('[data-t="' + s[0] + '"][' + attr + "]").forEach(function (e) {
          var hit = !!chosen && e.getAttribute(attr) === chosen;
          e.classList.toggle("hit", hit);
          if (hit) { spans++; }
        });
      });
      if (!chosen) { return; }
      names.push(label(m.table, chosen));
      m.links.forEach(function (l) {
        (T[l[0]] || []).forEach(function (r) { if (String(r[l[1]]) === chosen) { about[String(r[l[2]])] = true; } });
      });
    });
    var shown = 0, total = 0;
    Object.keys(markers).forEach(function (id) {
      total++;
      var v = visible(id);
      if (v) { shown++; }
      markers[id].hidden = !v;
      markers[id].classList.toggle("hit", !!about[id]);
    });
    segs.forEach(function (s) {
      var cls = ["s"], hit = false;
      s._c.forEach(function (id) {
        if (!visible(id)) { return; }
        cls.push("k" + markers[id].getAttribute("data-lane") + "-" + typeIndex(BY[U][id]));
        if (about[id]) { hit = true; }
      });
      if (hit) { cls.push("ahit"); }
      if (s.classList.contains("sel")) { cls.push("sel"); }
      s.className = cls.join(" ");
    });
    var msg = U ? shown + " of " + total + " " + D.titles[U].toLowerCase() + " shown" : "";
    if (names.length) {
      var linked = Object.keys(about).filter(visible).length;
      msg += "; " + names.join(", ") + ": " + spans + " spans and " + linked + " " +
        (U ? D.titles[U].toLowerCase() : "rows") + " marked";
    }
    status.textContent = msg;
  }
  function mark(table, id) {
    state.marks[table] = id;
    var select = document.querySelector('select[data-mark="' + table + '"]');
    if (select) { select.value = id; }
    paint();
  }
  function fromHash() {
    var h = location.hash.slice(1);
    if (!h) { return; }
    try { h = decodeURIComponent(h); } catch (err) { return; }
    var t = find(h);
    if (t) { show(t, h, { scroll: true, hash: false }); }
  }
  function activate(target) {
    var a = target.closest("[data-t][data-id],[data-cont]");
    if (a && a.hasAttribute("data-cont")) {
      var p = a.getAttribute("data-cont").split(":");
      return show(p[0], p.slice(1).join(":"));
    }
    if (a) { return show(a.getAttribute("data-t"), a.getAttribute("data-id")); }
    var s = target.closest(".s[data-c]");
    if (s && !document.body.classList.contains("no-underline")) {
      // plain underlined text: open the shortest visible row over it
      var best = null;
      s._c.forEach(function (id) {
        var r = BY[U][id];
        if (visible(id) && (!best || r.char_end - r.char_start < best.char_end - best.char_start)) { best = r; }
      });
      if (best) { return show(U, rowId(U, best)); }
    }
    return false;
  }
  var main = document.getElementById("text");
  main.addEventListener("click", function (ev) { if (activate(ev.target)) { ev.stopPropagation(); } });
  main.addEventListener("keydown", function (ev) {
    if ((ev.key === "Enter" || ev.key === " ") && ev.target.getAttribute("role") === "button") {
      ev.preventDefault();
      activate(ev.target);
    }
  });
  panel.addEventListener("click", function (ev) {
    var b = ev.target.closest("[data-go],[data-mark]");
    if (!b) { return; }
    var p = (b.getAttribute("data-go") || b.getAttribute("data-mark")).split(":");
    if (b.hasAttribute("data-mark")) { mark(p[0], p.slice(1).join(":")); return; }
    show(p[0], p.slice(1).join(":"), { scroll: true });
  });
  document.getElementById("appendix").addEventListener("click", function (ev) {
    var a = ev.target.closest("[data-ref]");
    if (!a) { return; }
    ev.preventDefault();
    var id = a.getAttribute("data-ref"), t = find(id);
    if (t) { show(t, id, { scroll: true }); }
  });
  document.querySelectorAll("[data-layer]").forEach(function (cb) {
    cb.addEventListener("change", function () {
      var t = cb.getAttribute("data-layer");
      if (t === U) { document.body.classList.toggle("no-underline", !cb.checked); return; }
      document.querySelectorAll('[data-t="' + t + '"],[data-cont^="' + t + ':"]').forEach(function (e) {
        e.classList.toggle("off", !cb.checked);
        if (e.hasAttribute("tabindex")) { e.tabIndex = cb.checked ? 0 : -1; }
      });
    });
  });
  document.querySelectorAll("select[data-mark]").forEach(function (s) {
    s.addEventListener("change", function () { mark(s.getAttribute("data-mark"), s.value); });
  });
  document.querySelectorAll("select[data-field]").forEach(function (s) {
    s.addEventListener("change", function () { state.filters[s.getAttribute("data-field")] = s.value; paint(); });
  });
  var hint = body.innerHTML;
  document.getElementById("close").addEventListener("click", function () {
    var back = state.current;
    body.innerHTML = hint;
    panel.classList.remove("has");
    if (back) { back.classList.remove("cur"); }
    segs.forEach(function (s) { s.classList.remove("sel"); });
    state.current = null;
    history.replaceState(null, "", location.pathname + location.search);
    if (back && back.focus) { back.focus(); }
  });
  var reset = document.getElementById("f-reset");
  if (reset) {
    reset.addEventListener("click", function () {
      state.filters = {};
      document.querySelectorAll("select[data-field]").forEach(function (s) { s.value = ""; });
      paint();
    });
  }
  window.addEventListener("hashchange", fromHash);
  paint();
  fromHash();
}());
