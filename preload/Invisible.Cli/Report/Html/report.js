// invisible report --format html: draws the report's data (the JSON in #report-data) as SVG and tables.
// No network: everything is in this file.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";

  function count(n) {
    var s = String(Math.round(n)), out = "";
    var neg = s.charAt(0) === "-";
    if (neg) s = s.slice(1);
    while (s.length > 3) { out = "," + s.slice(-3) + out; s = s.slice(0, -3); }
    return (neg ? "-" : "") + s + out;
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }
  function empty(parent, text) { parent.appendChild(el("p", { "class": "empty" }, text)); }

  document.getElementById("title").textContent = "invisible report: " + data.command + " (pid " + data.pid + ")";
  document.title = "invisible report: " + data.command;

  var summary = document.getElementById("summary-table");
  data.summary.forEach(function (row) {
    var tr = el("tr", {});
    tr.appendChild(el("th", {}, row[0]));
    tr.appendChild(el("td", { "class": "num", "data-key": row[0] }, row[1]));
    summary.appendChild(tr);
  });

  // Flame graphs: root at the bottom, a frame's width is its share of the graph's total.
  var WIDTH = 1200, ROW = 17;
  function depth(node) {
    var d = 0;
    (node.c || []).forEach(function (c) { d = Math.max(d, depth(c)); });
    return d + 1;
  }
  function colour(name) {
    var h = 0;
    for (var i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) % 360;
    return "hsl(" + (h % 50 + 10) + ",80%," + (55 + h % 15) + "%)";
  }
  function drawFlame(flame) {
    var section = document.getElementById("flames");
    var box = el("div", { "class": "flame-graph", "id": "flame-" + flame.id });
    box.appendChild(el("h2", {}, "Flame graph: " + flame.title + " (" + count(flame.root.v) + " bytes)"));
    section.appendChild(box);
    if (flame.root.v <= 0) { empty(box, "nothing to draw"); return; }
    var rows = depth(flame.root);
    var g = svg("svg", { "class": "flame", "width": WIDTH, "height": rows * ROW, "data-total": flame.root.v });
    function place(node, x, level) {
      var w = node.v / flame.root.v * WIDTH;
      var y = (rows - 1 - level) * ROW;
      var group = svg("g", {});
      var title = svg("title", {});
      title.textContent = node.n + ": " + count(node.v) + " bytes";
      group.appendChild(title);
      group.appendChild(svg("rect", { "x": x.toFixed(2), "y": y, "width": w.toFixed(2), "height": ROW - 1,
                                      "fill": level === 0 ? "#bbb" : colour(node.n), "data-name": node.n, "data-value": node.v }));
      if (w > 40) {
        var t = svg("text", { "x": (x + 3).toFixed(2), "y": y + ROW - 5 });
        var chars = Math.floor((w - 6) / 7);
        t.textContent = node.n.length <= chars ? node.n : node.n.slice(0, Math.max(chars - 2, 0)) + "..";
        group.appendChild(t);
      }
      g.appendChild(group);
      var cx = x;
      (node.c || []).forEach(function (c) { place(c, cx, level + 1); cx += c.v / flame.root.v * WIDTH; });
    }
    place(flame.root, 0, 0);
    box.appendChild(g);
  }
  data.flames.forEach(drawFlame);

  // Census: one bar per type, bytes.
  var census = document.getElementById("census-chart");
  if (!data.census) empty(census, "no census in this report (run with --census)");
  else if (data.census.length === 0) empty(census, "no live blocks");
  else {
    var max = 0;
    data.census.forEach(function (t) { max = Math.max(max, t.bytes); });
    var BAR = 20, LABEL = 360;
    var chart = svg("svg", { "class": "census", "width": WIDTH, "height": data.census.length * BAR });
    data.census.forEach(function (t, i) {
      var w = max > 0 ? t.bytes / max * (WIDTH - LABEL - 160) : 0;
      var label = svg("text", { "x": 0, "y": i * BAR + 14 });
      label.textContent = t.type;
      chart.appendChild(label);
      chart.appendChild(svg("rect", { "x": LABEL, "y": i * BAR + 2, "width": w.toFixed(2), "height": BAR - 4,
                                      "fill": "#4a7fb5", "data-type": t.type, "data-bytes": t.bytes }));
      var value = svg("text", { "x": (LABEL + w + 6).toFixed(2), "y": i * BAR + 14 });
      value.textContent = count(t.bytes) + " bytes in " + count(t.blocks) + " blocks";
      chart.appendChild(value);
    });
    census.appendChild(chart);
  }

  // Leaks: one row per loss record.
  var leaks = document.getElementById("leak-table");
  if (!data.leaks) empty(leaks, "no leak check in this report");
  else if (data.leaks.length === 0) empty(leaks, "no loss records");
  else {
    var table = el("table", { "id": "leak-records" });
    var head = el("tr", {});
    ["kind", "bytes", "blocks", "indirect bytes", "type", "allocated at"].forEach(function (h, i) {
      head.appendChild(el("th", { "class": i > 0 && i < 4 ? "num" : "" }, h));
    });
    table.appendChild(head);
    data.leaks.forEach(function (r) {
      var tr = el("tr", {});
      tr.appendChild(el("td", {}, r.kind.replace(/_/g, " ")));
      tr.appendChild(el("td", { "class": "num" }, count(r.bytes)));
      tr.appendChild(el("td", { "class": "num" }, count(r.blocks)));
      tr.appendChild(el("td", { "class": "num" }, count(r.indirect_bytes)));
      tr.appendChild(el("td", {}, r.type || ""));
      tr.appendChild(el("td", { "class": "frames" }, r.frames.join("\n")));
      table.appendChild(tr);
    });
    leaks.appendChild(table);
  }

  // Timeline: heap bytes over time, the peak marked.
  var plot = document.getElementById("timeline-plot");
  if (!data.timeline || data.timeline.length === 0) empty(plot, "no timeline in this report (run with --profile)");
  else {
    var H = 240, PAD = 60, tmax = 0, bmax = 0;
    data.timeline.forEach(function (p) { tmax = Math.max(tmax, p[0]); bmax = Math.max(bmax, p[1]); });
    if (data.peak) bmax = Math.max(bmax, data.peak[1]);
    function px(t) { return PAD + (tmax > 0 ? t / tmax : 0) * (WIDTH - 2 * PAD); }
    function py(b) { return H - 20 - (bmax > 0 ? b / bmax : 0) * (H - 40); }
    var s = svg("svg", { "class": "timeline", "width": WIDTH, "height": H });
    s.appendChild(svg("line", { "x1": PAD, "y1": H - 20, "x2": WIDTH - PAD, "y2": H - 20, "stroke": "#999" }));
    s.appendChild(svg("line", { "x1": PAD, "y1": 20, "x2": PAD, "y2": H - 20, "stroke": "#999" }));
    var points = data.timeline.map(function (p) { return px(p[0]).toFixed(1) + "," + py(p[1]).toFixed(1); }).join(" ");
    s.appendChild(svg("polyline", { "points": points, "fill": "none", "stroke": "#c0392b", "stroke-width": 2,
                                    "data-points": data.timeline.length }));
    var top = svg("text", { "x": 0, "y": 24 });
    top.textContent = count(bmax) + " B";
    s.appendChild(top);
    var end = svg("text", { "x": WIDTH - PAD - 40, "y": H - 4 });
    end.textContent = tmax.toFixed(1) + " ms";
    s.appendChild(end);
    if (data.peak) {
      s.appendChild(svg("circle", { "cx": px(data.peak[0]).toFixed(1), "cy": py(data.peak[1]).toFixed(1), "r": 4,
                                    "fill": "#c0392b", "id": "peak-marker" }));
    }
    plot.appendChild(s);
  }
  document.body.setAttribute("data-rendered", "yes");
})();
