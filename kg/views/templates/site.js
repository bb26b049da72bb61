/* kg.views static site script (static/site.js), shared by every page.
 *
 * Index page: filters the entity and paper tables by name/alias (#site-q)
 * and sorts them by paper count or name (#site-sort).
 * Entity and paper pages: draws the focused graph from the JSON in
 * #kg-graph-data with vis-network; clicking a node opens its page (only our
 * own relative entity/ and paper/ pages are ever navigated to).
 * Both set <body data-ready="1"> once interactive. Data reaches the page
 * only through textContent and vis-network's plain-text tooltips.
 */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var PAGE = /^\.\.\/(entity|paper)\/[A-Za-z0-9._-]+\.html$/;

  function ready() { document.body.setAttribute("data-ready", "1"); }

  /* ---- index --------------------------------------------------------------- */

  function setupIndex() {
    var q = $("site-q"), sort = $("site-sort"), status = $("site-status");
    var groups = Array.prototype.slice.call(document.querySelectorAll("section.type-group"));
    var tables = groups.map(function (g) {
      var body = g.querySelector("tbody");
      var rows = Array.prototype.slice.call(body.rows).map(function (tr, i) {
        return { tr: tr, i: i, search: tr.getAttribute("data-search") || "",
                 count: parseInt(tr.getAttribute("data-count"), 10) || 0,
                 name: (tr.cells[0].textContent || "").toLowerCase() };
      });
      return { section: g, body: body, rows: rows };
    });

    function apply() {
      var term = (q.value || "").trim().replace(/\s+/g, " ").toLowerCase();
      var shown = 0;
      tables.forEach(function (t) {
        var visible = 0;
        t.rows.forEach(function (r) {
          var ok = !term || r.search.indexOf(term) !== -1;
          r.tr.hidden = !ok;
          if (ok) visible++;
        });
        t.section.hidden = visible === 0;
        shown += visible;
      });
      status.textContent = term ? shown + " match" + (shown === 1 ? "" : "es") : "";
    }

    function resort() {
      var byName = sort.value === "name";
      tables.forEach(function (t) {
        var rows = t.rows.slice();
        rows.sort(function (a, b) {
          if (!byName && a.count !== b.count) return b.count - a.count;
          if (a.name < b.name) return -1;
          if (a.name > b.name) return 1;
          return a.i - b.i;
        });
        var frag = document.createDocumentFragment();
        rows.forEach(function (r) { frag.appendChild(r.tr); });
        t.body.appendChild(frag);
      });
    }

    q.addEventListener("input", apply);
    sort.addEventListener("change", resort);
    $("site-search").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var first = document.querySelector("section.type-group:not([hidden]) tr[data-search]:not([hidden]) a");
      if (first) window.location.href = first.getAttribute("href");
    });
    if (q.value) apply();
    window.kgSite = { filter: function (s) { q.value = s; apply(); }, sort: function (v) { sort.value = v; resort(); } };
    ready();
  }

  /* ---- focused graph ------------------------------------------------------- */

  function setupGraph() {
    var data = JSON.parse($("kg-graph-data").textContent);
    var container = $("kg-graph");
    var many = data.nodes.length > 60;
    var options = {
      autoResize: true,
      nodes: { borderWidth: 1, font: { size: 12, face: "sans-serif" } },
      edges: { smooth: false, color: { inherit: false }, selectionWidth: 2,
               arrows: { to: { scaleFactor: 0.6 } } },
      interaction: { hover: true, tooltipDelay: 150, keyboard: false, multiselect: false },
      layout: { randomSeed: 7, improvedLayout: data.nodes.length <= 100 },
      physics: {
        enabled: true, solver: "forceAtlas2Based",
        forceAtlas2Based: { gravitationalConstant: -70, centralGravity: 0.015, springLength: many ? 70 : 110,
                            springConstant: 0.08, damping: 0.5, avoidOverlap: 0.3 },
        stabilization: { enabled: true, iterations: many ? 250 : 400, updateInterval: 50, fit: true }
      }
    };
    data.nodes.forEach(function (n) {
      if (n.id === data.focus) { n.x = 0; n.y = 0; n.fixed = true; }
    });
    var nodes = new vis.DataSet(data.nodes);
    var edges = new vis.DataSet(data.edges);
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
    window.kg = { network: network, nodes: nodes, edges: edges, data: data, ready: false };

    network.on("click", function (p) {
      if (!p.nodes.length) return;
      var n = nodes.get(p.nodes[0]);
      if (n && n.id !== data.focus && typeof n.page === "string" && PAGE.test(n.page)) {
        window.location.href = n.page;
      }
    });
    network.on("hoverNode", function (p) {
      var n = nodes.get(p.node);
      container.style.cursor = n && n.page && n.id !== data.focus ? "pointer" : "default";
    });
    network.on("blurNode", function () { container.style.cursor = "default"; });

    function done() {
      if (window.kg.ready) return;
      network.setOptions({ physics: { enabled: false } });
      network.fit({ animation: false });
      if (data.focus) network.selectNodes([data.focus]);
      window.kg.ready = true;
      ready();
    }
    network.once("stabilizationIterationsDone", done);
    if (!data.nodes.length) done();
  }

  if ($("kg-graph-data") && window.vis) setupGraph();
  else if ($("site-q")) setupIndex();
  else ready();
})();
