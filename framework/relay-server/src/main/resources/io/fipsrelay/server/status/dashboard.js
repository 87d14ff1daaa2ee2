// fips-relay status dashboard: polls /status.json and renders it. No framework, no build step:
// the relay serves this file as it is, next to Chart.js from its webjar.
(function () {
  "use strict";

  const PALETTE = ["#3b6cf6", "#12a150", "#e8590c", "#9c36b5", "#0c8599", "#d6336c", "#5c940d", "#f59f00",
    "#1c7ed6", "#ae3ec9", "#2b8a3e", "#c92a2a", "#364fc7", "#e67700", "#087f5b"];
  const MB = 1e6;

  const state = { unit: "bytes", view: "products", doc: null, mainChart: null, sparks: new Map(), colors: new Map(), timer: null };

  // ---------------------------------------------------------------- formatting

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function valueWithUnit(target, value, unit) {
    target.textContent = "";
    target.append(document.createTextNode(value));
    if (unit) target.append(el("span", "unit", unit));
  }

  function fixed(n) {
    if (n === 0) return "0";
    if (n >= 100) return n.toFixed(0);
    if (n >= 10) return n.toFixed(1);
    return n.toFixed(2);
  }

  function mbps(bytesPerSecond) { return fixed(bytesPerSecond / MB); }

  function count(n) {
    if (n >= 1e9) return (n / 1e9).toFixed(1) + "G";
    if (n >= 1e6) return (n / 1e6).toFixed(1) + "M";
    if (n >= 1e4) return (n / 1e3).toFixed(1) + "k";
    return String(n);
  }

  function bytes(n) {
    const units = ["B", "kB", "MB", "GB", "TB"];
    let i = 0;
    while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
    return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
  }

  function millis(ms) {
    if (ms >= 1000) return [(ms / 1000).toFixed(2), "s"];
    if (ms >= 100) return [ms.toFixed(0), "ms"];
    return [ms.toFixed(1), "ms"];
  }

  function percent(rate) {
    if (rate === null || rate === undefined) return "–";
    if (rate === 0) return "0%";
    return (rate * 100 < 0.1 ? "<0.1" : (rate * 100).toFixed(1)) + "%";
  }

  function errorClass(rate) {
    if (rate === null || rate === undefined) return "";
    if (rate === 0) return "good";
    return rate < 0.01 ? "warn" : "bad";
  }

  function duration(seconds) {
    const d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600), m = Math.floor(seconds % 3600 / 60);
    if (d > 0) return d + "d " + h + "h";
    if (h > 0) return h + "h " + m + "m";
    return m + "m " + Math.floor(seconds % 60) + "s";
  }

  function clock(epochMillis) {
    return new Date(epochMillis).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  }

  function colorOf(id) {
    if (!state.colors.has(id)) state.colors.set(id, PALETTE[state.colors.size % PALETTE.length]);
    return state.colors.get(id);
  }

  function withAlpha(hex, alpha) {
    const n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + (n >> 8 & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  // ---------------------------------------------------------------- header and KPIs

  function renderHeader(doc) {
    const r = doc.relay;
    document.getElementById("subtitle").textContent =
      "site " + r.site + " · " + r.listenAddress + " · up " + duration(r.uptimeSeconds) + " · " + r.version;
    const health = document.getElementById("health");
    health.className = "pill " + (doc.health.healthy ? "pill-good" : "pill-bad");
    health.textContent = doc.health.healthy ? "Healthy" : "Unhealthy";
    const reasons = document.getElementById("health-reasons");
    reasons.hidden = doc.health.healthy;
    reasons.textContent = doc.health.reasons.join(" · ");
    const live = document.getElementById("live");
    live.className = "live on";
    document.getElementById("live-text").textContent = "live · updated " + clock(r.generatedAtMillis);
  }

  function renderKpis(doc) {
    let rps = 0, inBps = 0, outBps = 0, errors = 0, conns = 0;
    for (const p of doc.products) {
      rps += p.now.requestsPerSecond;
      inBps += p.now.bytesInPerSecond;
      outBps += p.now.bytesOutPerSecond;
      errors += (p.now.errorRate || 0) * p.now.requestsPerSecond;
      conns += p.activeConnections;
    }
    valueWithUnit(document.getElementById("kpi-rps"), fixed(rps));
    valueWithUnit(document.getElementById("kpi-in"), mbps(inBps), "MB/s");
    valueWithUnit(document.getElementById("kpi-out"), mbps(outBps), "MB/s");
    const err = document.getElementById("kpi-errors");
    valueWithUnit(err, rps > 0 ? percent(errors / rps) : "–");
    err.className = "kpi-value metric-value " + (rps > 0 ? errorClass(errors / rps) : "");
    valueWithUnit(document.getElementById("kpi-conns"), String(conns));
    valueWithUnit(document.getElementById("kpi-handshakes"), count(doc.tls.total));
  }

  // ---------------------------------------------------------------- throughput chart

  function seriesValues(series) {
    if (state.unit === "requests") return series.requestsPerSecond.map(v => +v.toFixed(2));
    return series.requestsPerSecond.map((_, i) => +((series.bytesInPerSecond[i] + series.bytesOutPerSecond[i]) / MB).toFixed(3));
  }

  // Where a plugin event falls on the chart's category axis: a fractional sample index; null before
  // the kept history. An event after the last sample sits at the right edge until the next sample.
  function markPosition(times, t) {
    if (!times.length || t < times[0]) return null;
    for (let i = 0; i < times.length - 1; i++) {
      if (t <= times[i + 1]) return i + (t - times[i]) / (times[i + 1] - times[i]);
    }
    return times.length - 1;
  }

  function eventMarks(doc) {
    const marks = [];
    for (const e of doc.pluginEvents) {
      if (e.kind !== "hot-plugged" && e.kind !== "removed") continue;
      const x = markPosition(doc.history.times, e.atMillis);
      if (x !== null) marks.push({ x, kind: e.kind, plugin: e.plugin, atMillis: e.atMillis, detail: e.detail });
    }
    return marks;
  }

  // Hot plugs and removals as dashed vertical lines across the throughput chart, labelled with the
  // plugin. Drawn here rather than with chartjs-plugin-annotation: one draw hook, no second webjar.
  const eventMarkers = {
    id: "eventMarkers",
    afterDatasetsDraw(chart) {
      const marks = chart.$eventMarks || [];
      const x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx, last = chart.data.labels.length - 1;
      if (!marks.length || last < 0) return;
      ctx.save();
      ctx.font = "600 11px system-ui, sans-serif";
      ctx.textBaseline = "top";
      for (const m of marks) {
        const i = Math.min(Math.floor(m.x), last), f = m.x - i;
        const px = i < last ? x.getPixelForValue(i) + f * (x.getPixelForValue(i + 1) - x.getPixelForValue(i)) : x.getPixelForValue(i);
        const color = m.kind === "removed" ? "#d92d20" : "#12a150";
        ctx.strokeStyle = color;
        ctx.fillStyle = color;
        ctx.lineWidth = 1.5;
        ctx.setLineDash([5, 4]);
        ctx.beginPath();
        ctx.moveTo(px, area.top);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        const text = (m.kind === "removed" ? "\u2212 " : "+ ") + m.plugin;
        const width = ctx.measureText(text).width;
        ctx.textAlign = "left";
        ctx.fillText(text, Math.min(px + 4, area.right - width), area.top + 2);
      }
      ctx.restore();
    },
  };

  function renderEventList(marks) {
    const list = document.getElementById("plugin-events");
    list.textContent = "";
    for (const m of marks) {
      const li = el("li", m.kind);
      li.dataset.kind = m.kind;
      li.dataset.plugin = m.plugin;
      const when = el("time", null, clock(m.atMillis));
      when.dateTime = new Date(m.atMillis).toISOString();
      li.append(el("span", "mark"), when,
        document.createTextNode((m.kind === "removed" ? "removed " : "hot-plugged ") + m.plugin + (m.detail ? " (" + m.detail + ")" : "")));
      list.append(li);
    }
  }

  function renderMainChart(doc) {
    const h = doc.history;
    const series = state.view === "plugins" ? h.plugins : h.products;
    document.getElementById("view-name").textContent = state.view === "plugins" ? "plugin" : "product";
    const minutes = Math.round(h.times.length * doc.relay.sampleIntervalSeconds / 60);
    const seconds = Math.round(h.times.length * doc.relay.sampleIntervalSeconds);
    document.getElementById("history-span").textContent =
      h.times.length ? "· last " + (seconds >= 90 ? minutes + " min" : seconds + " s") : "";
    document.getElementById("chart-empty").hidden = h.times.length > 0;
    const labels = h.times.map(clock);
    const marks = eventMarks(doc);
    renderEventList(marks);
    const datasets = Object.keys(series).map(id => ({
      label: id,
      data: seriesValues(series[id]),
      borderColor: colorOf(id),
      backgroundColor: colorOf(id),
      borderWidth: 2,
      pointRadius: 0,
      tension: 0.3,
      fill: false,
    }));
    const yTitle = state.unit === "requests" ? "requests / s" : "MB/s (in + out)";
    if (!state.mainChart) {
      state.mainChart = new Chart(document.getElementById("throughput-chart"), {
        type: "line",
        data: { labels, datasets },
        plugins: [eventMarkers],
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          interaction: { mode: "index", intersect: false },
          scales: {
            x: { grid: { display: false }, ticks: { maxTicksLimit: 8, color: "#7d8aa0", maxRotation: 0 } },
            y: { beginAtZero: true, grid: { color: "#eef1f6" }, ticks: { color: "#7d8aa0" },
                 title: { display: true, text: yTitle, color: "#7d8aa0" } },
          },
          layout: { padding: { top: 16 } },
          plugins: {
            legend: { position: "bottom", labels: { usePointStyle: true, pointStyle: "circle", boxWidth: 7, boxHeight: 7,
              padding: 16, color: "#4a5870" } },
            tooltip: { callbacks: { label: c => " " + c.dataset.label + ": " + c.formattedValue } },
          },
        },
      });
      state.mainChart.$eventMarks = marks;
      state.mainChart.update("none");
      return;
    }
    const chart = state.mainChart;
    chart.$eventMarks = marks;
    chart.data.labels = labels;
    chart.data.datasets = datasets;
    chart.options.scales.y.title.text = yTitle;
    chart.update("none");
  }

  // ---------------------------------------------------------------- product cards

  function metric(label, [value, unit], cls) {
    const m = el("div", "metric");
    m.append(el("span", "metric-label", label));
    const v = el("span", "metric-value" + (cls ? " " + cls : ""));
    valueWithUnit(v, value, unit);
    m.append(v);
    return m;
  }

  // One line per intake server; the addresses the pool published for it below, each with its state.
  function upstreamList(p) {
    const list = el("ul", "upstreams");
    const servers = [...p.servers];
    for (const u of p.upstreams) if (!servers.includes(u.server)) servers.push(u.server);
    for (const server of servers) {
      const addresses = p.upstreams.filter(u => u.server === server);
      const head = el("li", addresses.length ? "server" : null);
      if (!addresses.length) head.append(el("span", "dot"));
      head.append(el("span", "addr", server));
      if (!addresses.length) head.append(el("span", "latency", "no health data yet"));
      list.append(head);
      for (const u of addresses) {
        const li = el("li", "address");
        li.title = u.lastError || (u.up ? "up" : "down");
        // Behind the egress proxy the address is the proxy's; say so (credentials come redacted).
        li.append(el("span", "dot " + (u.up ? "up" : "down")), el("span", "addr", u.via ? u.address + " via proxy " + u.via : u.address),
          u.up ? el("span", "latency", u.lastCheckMillis >= 0 ? "up · check " + u.lastCheckMillis + " ms" : "up")
               : el("span", "latency down", "down" + (u.lastError ? ": " + u.lastError : "")));
        list.append(li);
      }
    }
    return list;
  }

  function card(p, history) {
    const c = el("article", "card product-card");
    c.dataset.product = p.id;
    c.style.setProperty("--swatch", colorOf(p.id));

    const head = el("div", "card-head");
    const title = el("div", "card-title");
    const conns = p.activeConnections === 1 ? "1 connection" : p.activeConnections + " connections";
    title.append(el("h3", null, p.id), el("span", "port", (p.port ? ":" + p.port : "no port") + " · " + conns
      + (p.plugin ? " · plugin " + p.plugin : "")));
    const status = p.listening ? el("span", "pill pill-good", "listening") : el("span", "pill pill-bad", "not listening");
    head.append(title, status);

    const metrics = figures(p);
    const [spark, canvas] = sparkBox(p.id);
    c.append(head, metrics, spark, upstreamList(p), totalsFoot(p.totals));
    return { element: c, canvas, series: history.products[p.id] };
  }

  function totalsFoot(t) {
    const foot = el("div", "card-foot");
    const part = (label, value) => { const s = el("span"); s.append(el("b", null, value), document.createTextNode(" " + label)); return s; };
    const totals = el("div", "foot-row");
    totals.append(el("span", "foot-label", "Since start"), part("requests", count(t.requests)), part("in", bytes(t.bytesIn)),
      part("out", bytes(t.bytesOut)));
    const answers = el("div", "foot-row");
    answers.append(el("span", "foot-label", "Answers"));
    for (const klass of ["2xx", "3xx", "4xx", "5xx"]) {
      if (klass === "3xx" && !t.responses[klass]) continue;
      answers.append(el("span", "chip" + (t.responses[klass] ? " status-" + klass : ""), klass + " " + count(t.responses[klass])));
    }
    for (const [cause, n] of Object.entries(t.errors)) answers.append(el("span", "tag", cause + " " + count(n)));
    foot.append(totals, answers);
    return foot;
  }

  function figures(x) {
    const metrics = el("div", "metrics");
    metrics.append(
      metric("Requests / s", [fixed(x.now.requestsPerSecond)]),
      metric("In", [mbps(x.now.bytesInPerSecond), "MB/s"]),
      metric("Out", [mbps(x.now.bytesOutPerSecond), "MB/s"]),
      metric("Latency p50", x.latency.count ? millis(x.latency.p50Millis) : ["–"]),
      metric("Latency p99", x.latency.count ? millis(x.latency.p99Millis) : ["–"]),
      metric("Error rate", [percent(x.now.errorRate)], errorClass(x.now.errorRate)));
    return metrics;
  }

  function sparkBox(label) {
    const spark = el("div", "chart-box spark");
    const canvas = el("canvas", "spark-chart");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", label + " throughput, in and out");
    spark.append(canvas);
    return [spark, canvas];
  }

  // One plugin: what identifies its jar, how it came, its products (each with its port and whether
  // it listens), and its products' figures together.
  function pluginCard(plugin, doc) {
    const c = el("article", "card plugin-card");
    c.dataset.plugin = plugin.id;
    c.style.setProperty("--swatch", colorOf(plugin.id));

    const head = el("div", "card-head");
    const title = el("div", "card-title");
    const conns = plugin.activeConnections === 1 ? "1 connection" : plugin.activeConnections + " connections";
    title.append(el("h3", null, plugin.id), el("span", "port version", "v" + plugin.version + " · " + conns));
    const hot = plugin.loadedBy === "hot-plug";
    const how = el("span", "loaded-by " + plugin.loadedBy, (hot ? "hot-plugged " : "loaded at start ") + clock(plugin.loadedAtMillis));
    how.title = new Date(plugin.loadedAtMillis).toString();
    head.append(title, how);

    const facts = el("div", "plugin-facts");
    const sha = el("span", "mono sha", "sha256 " + plugin.jarSha256.slice(0, 16) + "…");
    sha.title = plugin.jarSha256;
    facts.append(el("span", "mono jar", plugin.jar), sha);

    const products = el("div", "plugin-products");
    for (const id of plugin.products) {
      const p = doc.products.find(x => x.id === id);
      const chip = el("span", "chip plugin-product");
      chip.dataset.product = id;
      chip.append(el("span", "dot " + (p && p.listening ? "up" : "")), document.createTextNode(id + (p && p.port ? " :" + p.port : "")));
      chip.title = p ? (p.listening ? "listening" : "not listening") : "disabled by configuration";
      products.append(chip);
    }

    const [spark, canvas] = sparkBox(plugin.id);
    c.append(head, facts, products, figures(plugin), spark, totalsFoot(plugin.totals));
    return { element: c, canvas, series: doc.history.plugins[plugin.id] };
  }

  function sparkChart(canvas, color, labels, series) {
    const inData = series ? series.bytesInPerSecond.map(v => v / MB) : [];
    const outData = series ? series.bytesOutPerSecond.map(v => v / MB) : [];
    return new Chart(canvas, {
      type: "line",
      data: {
        labels,
        datasets: [
          { label: "in MB/s", data: inData, borderColor: color, backgroundColor: withAlpha(color, 0.15), fill: true,
            borderWidth: 1.6, pointRadius: 0, tension: 0.3 },
          { label: "out MB/s", data: outData, borderColor: "#94a3b8", borderDash: [4, 3], fill: false,
            borderWidth: 1.2, pointRadius: 0, tension: 0.3 },
        ],
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: { x: { display: false }, y: { display: false, beginAtZero: true } },
        plugins: { legend: { display: false }, tooltip: { displayColors: false,
          callbacks: { label: c => c.dataset.label + " " + c.parsed.y.toFixed(2) } } },
      },
    });
  }

  // The cards of the view in force; the other view's container is emptied and hidden.
  function renderCards(doc) {
    const byPlugin = state.view === "plugins";
    const products = document.getElementById("products"), plugins = document.getElementById("plugins");
    for (const chart of state.sparks.values()) chart.destroy();
    state.sparks.clear();
    products.textContent = "";
    plugins.textContent = "";
    products.hidden = byPlugin;
    plugins.hidden = !byPlugin;
    document.getElementById("cards-title").textContent = byPlugin ? "Plugins" : "Products";
    const labels = doc.history.times.map(clock);
    const built = byPlugin ? doc.plugins.map(p => [p.id, pluginCard(p, doc)]) : doc.products.map(p => [p.id, card(p, doc.history)]);
    if (byPlugin && !built.length) plugins.append(el("p", "muted", "No plugin loaded."));
    for (const [id, b] of built) {
      (byPlugin ? plugins : products).append(b.element);
      state.sparks.set(id, sparkChart(b.canvas, colorOf(id), labels, b.series));
    }
  }

  function renderRefused(doc) {
    const panel = document.getElementById("refused-panel");
    panel.hidden = doc.refusedPlugins.length === 0;
    document.getElementById("refused-count").textContent = doc.refusedPlugins.length + " refused";
    const body = document.querySelector("#refused tbody");
    body.textContent = "";
    for (const r of doc.refusedPlugins) {
      const tr = el("tr");
      tr.dataset.jar = r.jar;
      tr.append(el("td", "refused-jar", r.jar), el("td", "reason", r.reason), el("td", "num", clock(r.atMillis)));
      body.append(tr);
    }
  }

  // ---------------------------------------------------------------- FIPS and runtime

  function facts(dl, rows) {
    dl.textContent = "";
    for (const [label, value, cls] of rows) {
      if (Array.isArray(value)) {
        const dd = el("dd", "chips");
        for (const v of value) dd.append(el("span", "chip", v));
        dl.append(el("dt", null, label), dd);
      } else {
        dl.append(el("dt", null, label), el("dd", cls || null, value));
      }
    }
  }

  function renderFips(doc) {
    const f = doc.fips;
    const ok = f.ready && f.approvedOnly;
    const pill = document.getElementById("fips-state");
    pill.className = "pill " + (ok ? "pill-good" : "pill-bad");
    pill.textContent = ok ? "approved-only · ready" : "not ready";
    facts(document.getElementById("fips-facts"), [
      ["Module", "Bouncy Castle FIPS " + f.moduleVersion + " (CMVP " + f.cmvpCertificate + ")"],
      ["TLS provider", "bctls-fips " + f.jsseVersion + " (BCJSSE)"],
      ["Approved-only mode", f.approvedOnly ? "✓ on" : "✗ off", f.approvedOnly ? "check" : "cross"],
      ["Self-tests", f.selfTest + " · loaded in " + f.startupMillis + " ms", f.ready ? null : "cross"],
      ["Native code", f.nativeVariant === "java" ? "pure Java" : f.nativeVariant + " (" + f.nativeFeatures + ")"],
      ["Protocols", f.protocols],
      ["Cipher suites", f.cipherSuites],
    ]);
    const body = document.querySelector("#handshakes tbody");
    body.textContent = "";
    const rows = Object.entries(doc.tls.handshakes);
    if (rows.length === 0) {
      const tr = el("tr");
      const td = el("td", "empty", "no upstream handshake yet");
      td.colSpan = 3;
      tr.append(td);
      body.append(tr);
    }
    for (const [key, n] of rows) {
      const [protocol, suite] = key.split(" ");
      const tr = el("tr");
      tr.append(el("td", null, protocol), el("td", "mono", suite), el("td", "num", count(n)));
      body.append(tr);
    }
  }

  function renderCertificates(doc) {
    const c = doc.certificates;
    const body = document.querySelector("#certificates tbody");
    body.textContent = "";
    if (!c || c.intakes.length === 0) {
      const tr = el("tr");
      const td = el("td", "empty", "no intake certificate seen yet");
      td.colSpan = 3;
      tr.append(td);
      body.append(tr);
    } else {
      for (const i of c.intakes) {
        const tr = el("tr");
        // Under 30 days is what the relay warns about in its log too.
        tr.append(el("td", "mono", i.server + " " + i.address), el("td", "mono", i.subject),
          el("td", "num" + (i.daysLeft < 30 ? " bad" : ""), String(i.daysLeft)));
        body.append(tr);
      }
    }
    const anchors = c ? c.anchorsUsed : [];
    document.getElementById("anchors-text").textContent = anchors.length === 0 ? ""
      : "Trust anchors used (" + c.trustBundle + "): " + anchors.map(a => a.subject + ", " + a.daysLeft + " days left").join("; ");
  }

  function renderRuntime(doc) {
    const j = doc.jvm;
    facts(document.getElementById("runtime-facts"), [
      ["JVM", j.runtime],
      ["Threads", String(j.threads)],
      ["Status port", doc.relay.listenAddress + ":" + doc.relay.statusPort],
      ["Sampling", "every " + doc.relay.sampleIntervalSeconds + " s, " + doc.history.times.length + " points kept"],
    ]);
    const share = j.heapMaxBytes > 0 ? j.heapUsedBytes / j.heapMaxBytes : 0;
    document.getElementById("heap-fill").style.width = (share * 100).toFixed(1) + "%";
    document.getElementById("heap-text").textContent =
      "Heap " + bytes(j.heapUsedBytes) + " of " + bytes(j.heapMaxBytes) + " (" + (share * 100).toFixed(0) + "%)";
  }

  // ---------------------------------------------------------------- polling

  function render(doc) {
    state.doc = doc;
    renderHeader(doc);
    renderKpis(doc);
    renderMainChart(doc);
    renderCards(doc);
    renderRefused(doc);
    renderFips(doc);
    renderCertificates(doc);
    renderRuntime(doc);
    document.body.dataset.rendered = String(doc.relay.generatedAtMillis);
  }

  async function poll() {
    let every = 5000;
    try {
      const response = await fetch("/status.json", { cache: "no-store" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const doc = await response.json();
      render(doc);
      every = Math.min(5000, Math.max(1000, doc.relay.sampleIntervalSeconds * 1000));
    } catch (e) {
      document.getElementById("live").className = "live stale";
      document.getElementById("live-text").textContent = "relay unreachable (" + e.message + "), retrying";
    }
    state.timer = setTimeout(poll, every);
  }

  for (const button of document.querySelectorAll("#unit-switch button")) {
    button.addEventListener("click", () => {
      state.unit = button.dataset.unit;
      for (const b of document.querySelectorAll("#unit-switch button")) b.classList.toggle("active", b === button);
      if (state.doc) renderMainChart(state.doc);
    });
  }

  for (const button of document.querySelectorAll("#view-switch button")) {
    button.addEventListener("click", () => {
      state.view = button.dataset.view;
      for (const b of document.querySelectorAll("#view-switch button")) b.classList.toggle("active", b === button);
      if (state.doc) {
        renderMainChart(state.doc);
        renderCards(state.doc);
      }
    });
  }

  poll();
})();
