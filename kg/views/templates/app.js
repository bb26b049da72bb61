/* kg.views page script.
 *
 * Reads the graph from the JSON in #kg-data, draws it with vis-network, and
 * wires the legend/type filters, the minimum-paper filter, the search box
 * and the details panel. Data strings only ever reach the page through
 * textContent, createTextNode, setAttribute("title") and vis-network's plain
 * text tooltips; only http(s) URLs become an href.
 *
 * window.kg exposes {network, nodes, edges, view, data, ready, select, find}
 * for tests and for poking around in the console.
 */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var meta = data.meta;
  var hiddenKinds = new Set();
  var minPapers = 0;
  var entityKinds = new Set();
  var colours = {};
  data.legend.forEach(function (row) {
    if (row.entity) entityKinds.add(row.kind);
    colours[row.kind] = row.colour;
  });

  var $ = function (id) { return document.getElementById(id); };
  var details = $("kg-details");
  var statusBox = $("kg-status");
  var minInput = $("kg-min-papers");

  function visible(node) {
    if (hiddenKinds.has(node.kind)) return false;
    if (entityKinds.has(node.kind) && (node.paper_count || 0) < minPapers) return false;
    return true;
  }

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var view = new vis.DataView(nodes, { filter: visible });
  var network = new vis.Network($("kg-network"), {}, data.options);

  var api = {
    data: data, nodes: nodes, edges: edges, view: view, network: network,
    ready: false, select: selectNode, find: findNode
  };
  window.kg = api;

  /* ---- DOM helpers (text only) ---------------------------------------- */

  function el(tag, props, children) {
    var e = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        if (k === "text") e.textContent = props[k];
        else if (k === "className") e.className = props[k];
        else e.setAttribute(k, String(props[k]));
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return e;
  }

  function safeHref(url) {
    if (typeof url !== "string" || !url) return null;
    try {
      var u = new URL(url);
      if ((u.protocol === "http:" || u.protocol === "https:") && u.host) return u.href;
    } catch (err) { /* not a URL */ }
    return null;
  }

  function webLink(url, text) {
    var href = safeHref(url);
    if (!href) return el("span", { text: text || url || "" });
    var a = el("a", { text: text || href, rel: "noopener noreferrer", target: "_blank" });
    a.href = href;
    return a;
  }

  function badge(kind) {
    var b = el("span", { className: "kg-kind", text: kind || "Node" });
    b.style.background = colours[kind] || "#888";
    return b;
  }

  function ref(r) {
    if (r.shown) {
      /* an <a> without href: flows like text, never navigates */
      var b = el("a", { role: "button", tabindex: "0", className: "kg-link", text: r.label });
      b.addEventListener("click", function () { selectNode(r.id); });
      b.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); selectNode(r.id); }
      });
      return b;
    }
    return el("span", { className: "kg-muted", text: r.label, title: "not in this view" });
  }

  function section(title, items, render, more) {
    if (!items || !items.length) return null;
    var ul = el("ul");
    items.forEach(function (item) { ul.appendChild(el("li", null, render(item))); });
    if (more) ul.appendChild(el("li", { className: "kg-muted", text: "… and " + more + " more" }));
    return el("div", null, [el("h3", { text: title + " (" + (items.length + (more || 0)) + ")" }), ul]);
  }

  function highlight(text, spans) {
    var frag = document.createDocumentFragment();
    var chars = Array.from(text || "");   /* offsets count code points */
    var pos = 0;
    spans.forEach(function (m) {
      if (m.start < pos || m.end > chars.length || m.start >= m.end) return;
      if (m.start > pos) frag.appendChild(document.createTextNode(chars.slice(pos, m.start).join("")));
      var mark = el("mark", {
        className: "kg-mention kg-" + String(m.role).replace(/[^a-z_]/gi, ""),
        title: m.label + " · " + m.kind + " · " + m.role,
        text: chars.slice(m.start, m.end).join("")
      });
      if (m.shown) mark.addEventListener("click", function () { selectNode(m.entity); });
      frag.appendChild(mark);
      pos = m.end;
    });
    if (pos < chars.length) frag.appendChild(document.createTextNode(chars.slice(pos).join("")));
    return frag;
  }

  function roles(list) { return el("span", { className: "kg-role", text: " — " + list.join(", ") }); }

  /* ---- details panel --------------------------------------------------- */

  function paperDetails(d) {
    var out = [badge("Paper")];
    var spans = function (f) { return d.mentions.filter(function (m) { return m.field === f; }); };
    out.push(el("h2", null, [highlight(d.title, spans("title"))]));
    if (d.url) out.push(el("p", null, [webLink(d.url, d.url)]));
    else if (d.url_text) out.push(el("p", { className: "kg-muted" }, ["Link (not a web address): ", d.url_text]));
    if (d.sources.length) out.push(el("p", { className: "kg-muted", text: "Read from " + d.sources.join(", ") }));
    if (d.abstract) {
      out.push(el("h3", { text: "Abstract" }));
      out.push(el("p", { className: "kg-abstract" }, [highlight(d.abstract, spans("abstract"))]));
    }
    out.push(section("Entities", d.entities, function (e) { return [badge(e.kind), " ", ref(e), roles(e.roles)]; }));
    out.push(section("Results", d.results, function (r) { return [ref(r)]; }));
    return out;
  }

  function entityDetails(d) {
    var out = [badge(d.kind)];
    out.push(el("h2", null, [d.href ? webLink(d.href, d.label) : d.label]));
    if (d.aliases.length) out.push(el("p", null, [el("strong", { text: "Also known as: " }), d.aliases.join(", ")]));
    out.push(el("p", { className: "kg-muted", text: "Mentioned by " + d.paper_count + (d.paper_count === 1 ? " paper" : " papers") }));
    out.push(section("Papers", d.papers, function (p) { return [ref(p), roles(p.roles)]; }, d.more_papers));
    out.push(section("Based on", d.based_on, function (r) { return [badge(r.kind), " ", ref(r)]; }));
    out.push(section("Basis of", d.used_by, function (r) { return [badge(r.kind), " ", ref(r)]; }));
    out.push(section("Repositories", d.repositories, function (r) {
      return [r.href ? webLink(r.href, r.label) : r.label, r.shown ? " " : null, r.shown ? ref({ id: r.id, label: "(show)", shown: true }) : null];
    }));
    out.push(section("Results", d.results, function (r) {
      var parts = [ref(r)];
      if (r.papers.length) { parts.push(" in "); r.papers.forEach(function (p, i) { if (i) parts.push(", "); parts.push(ref(p)); }); }
      return parts;
    }, d.more_results));
    return out;
  }

  function resultDetails(d) {
    var out = [badge("Result"), el("h2", { text: d.label })];
    var facts = el("ul");
    if (d.value !== null) facts.appendChild(el("li", { text: "Value: " + d.value }));
    if (d.metric) facts.appendChild(el("li", { text: "Metric: " + d.metric }));
    if (d.dataset) facts.appendChild(el("li", { text: "Dataset: " + d.dataset }));
    out.push(facts);
    ["model", "dataset", "metric"].forEach(function (k) {
      out.push(section(k.charAt(0).toUpperCase() + k.slice(1), d.links[k], function (r) { return [ref(r)]; }));
    });
    out.push(section("Reported by", d.papers, function (p) { return [ref(p)]; }));
    return out;
  }

  function showDetails(id) {
    var d = data.details[id];
    details.replaceChildren();
    if (!d) { details.appendChild(el("p", { className: "kg-hint", text: "No details for this node." })); return; }
    var parts = d.kind === "Paper" ? paperDetails(d) : d.kind === "Result" ? resultDetails(d) : entityDetails(d);
    parts.forEach(function (p) { if (p) details.appendChild(p); });
    details.dataset.node = id;
    details.scrollTop = 0;
  }

  function clearDetails() {
    details.replaceChildren(el("p", { className: "kg-hint", text: "Click a node to see its details." }));
    delete details.dataset.node;
  }

  /* ---- filters ----------------------------------------------------------- */

  var boxes = {};
  function refresh() {
    view.refresh();
    $("kg-visible").textContent = view.getIds().length + " of " + nodes.length + " nodes visible";
  }

  data.legend.forEach(function (row, i) {
    var box = el("input", { type: "checkbox", id: "kg-kind-" + i, "data-kind": row.kind });
    box.checked = true;
    box.addEventListener("change", function () {
      if (box.checked) hiddenKinds.delete(row.kind); else hiddenKinds.add(row.kind);
      refresh();
    });
    boxes[row.kind] = box;
    var glyph = el("span", { className: "kg-glyph", text: row.glyph, title: row.shape });
    glyph.style.color = row.colour;
    $("kg-legend").appendChild(el("li", null, [el("label", { "for": box.id }, [
      box, glyph, el("span", { text: row.kind }), el("span", { className: "kg-count", text: String(row.count) })
    ])]));
  });

  if (meta.initial) {            /* hub-first overview: open on the hubs only */
    (meta.initial.hidden_kinds || []).forEach(function (k) {
      hiddenKinds.add(k);
      if (boxes[k]) boxes[k].checked = false;
    });
    minPapers = Math.max(0, parseInt(meta.initial.min_papers, 10) || 0);
    minInput.value = String(minPapers);
    $("kg-note").textContent = meta.initial.note || "";
  }

  minInput.addEventListener("input", function () {
    var v = parseInt(minInput.value, 10);
    minPapers = isFinite(v) && v > 0 ? v : 0;
    refresh();
  });

  /* ---- search ------------------------------------------------------------ */

  var index = data.nodes.map(function (n) {
    return { id: n.id, label: n.label, count: n.paper_count || 0, entity: entityKinds.has(n.kind),
             names: (n.names || [n.label]).map(function (s) { return String(s).replace(/\s+/g, " ").toLowerCase(); }) };
  });

  function findNode(query) {
    var q = String(query || "").trim().replace(/\s+/g, " ").toLowerCase();
    if (!q) return null;
    var best = null, bestKey = null;
    index.forEach(function (n) {
      var rank = 3;
      n.names.forEach(function (name) {
        if (name === q) rank = Math.min(rank, 0);
        else if (name.indexOf(q) === 0) rank = Math.min(rank, 1);
        else if (name.indexOf(q) > 0) rank = Math.min(rank, 2);
      });
      if (rank === 3) return;
      var key = [rank, n.entity ? 0 : 1, -n.count, n.label];
      if (!best || compare(key, bestKey) < 0) { best = n.id; bestKey = key; }
    });
    return best;
  }

  function compare(a, b) {
    for (var i = 0; i < a.length; i++) {
      if (a[i] < b[i]) return -1;
      if (a[i] > b[i]) return 1;
    }
    return 0;
  }

  function selectNode(id, quiet) {
    var n = nodes.get(id);
    if (!n) return false;
    if (!visible(n)) {           /* reveal what the user asked for */
      hiddenKinds.delete(n.kind);
      if (boxes[n.kind]) boxes[n.kind].checked = true;
      if (entityKinds.has(n.kind) && (n.paper_count || 0) < minPapers) {
        minPapers = n.paper_count || 0;
        minInput.value = String(minPapers);
      }
      refresh();
    }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0),
                        animation: quiet ? false : { duration: 400, easingFunction: "easeInOutQuad" } });
    showDetails(id);
    return true;
  }

  var names = $("kg-names");
  var seen = new Set();
  data.nodes.forEach(function (n) {
    (n.names || [n.label]).forEach(function (name) {
      if (seen.size >= 5000 || seen.has(name) || /^[a-z]+\/\S+$/.test(name)) return;
      seen.add(name);
      names.appendChild(el("option", { value: name }));
    });
  });

  $("kg-search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = $("kg-search").value;
    var id = findNode(q);
    statusBox.textContent = id ? "" : (q.trim() ? "No node matches “" + q.trim() + "”" : "");
    if (id) selectNode(id);
  });

  /* ---- network events ------------------------------------------------------ */

  network.on("click", function (p) {
    if (p.nodes.length) showDetails(p.nodes[0]);
    else if (!p.edges.length) clearDetails();
  });

  function markReady() {
    if (api.ready) return;
    api.ready = true;
    document.body.setAttribute("data-ready", "1");
    statusBox.textContent = "";
    if (meta.focus) selectNode(meta.focus, true);
  }

  if (meta.physics && data.nodes.length) {
    network.on("stabilizationProgress", function (p) {
      statusBox.textContent = "Laying out… " + Math.round(100 * p.iterations / p.total) + "%";
    });
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      network.fit();
      markReady();
    });
  } else {
    network.once("afterDrawing", markReady);
  }
  network.setData({ nodes: view, edges: edges });
  if (!data.nodes.length) markReady();
  refresh();
})();
