// fips-relay status dashboard: polls /status.json and renders it. No framework, no build step:
// the relay serves this file as it is, next to Chart.js from its webjar.
(function () {
  "use strict";

  const PALETTE = ["#3b6cf6", "#12a150", "#e8590c", "#9c36b5", "#0c8599", "#d6336c", "#5c940d", "#f59f00",
    "#1c7ed6", "#ae3ec9", "#2b8a3e", "#c92a2a", "#364fc7", "#e67700", "#087f5b"];
  const MB = 1e6;

  const state = { unit: "bytes", doc: null, mainChart: null, sparks: new Map(), colors: new Map(), timer: null };

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

  function renderMainChart(doc) {
    const h = doc.history;
    const minutes = Math.round(h.times.length * doc.relay.sampleIntervalSeconds / 60);
    const seconds = Math.round(h.times.length * doc.relay.sampleIntervalSeconds);
    document.getElementById("history-span").textContent =
      h.times.length ? "· last " + (seconds >= 90 ? minutes + " min" : seconds + " s") : "";
    document.getElementById("chart-empty").hidden = h.times.length > 0;
    const labels = h.times.map(clock);
    const datasets = Object.keys(h.products).map(id => ({
      label: id,
      data: seriesValues(h.products[id]),
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
          plugins: {
            legend: { position: "bottom", labels: { usePointStyle: true, pointStyle: "circle", boxWidth: 7, boxHeight: 7,
              padding: 16, color: "#4a5870" } },
            tooltip: { callbacks: { label: c => " " + c.dataset.label + ": " + c.formattedValue } },
          },
        },
      });
      return;
    }
    const chart = state.mainChart;
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
    title.append(el("h3", null, p.id), el("span", "port", (p.port ? ":" + p.port : "no port") + " · " + conns));
    const status = p.listening ? el("span", "pill pill-good", "listening") : el("span", "pill pill-bad", "not listening");
    head.append(title, status);

    const metrics = el("div", "metrics");
    metrics.append(
      metric("Requests / s", [fixed(p.now.requestsPerSecond)]),
      metric("In", [mbps(p.now.bytesInPerSecond), "MB/s"]),
      metric("Out", [mbps(p.now.bytesOutPerSecond), "MB/s"]),
      metric("Latency p50", p.latency.count ? millis(p.latency.p50Millis) : ["–"]),
      metric("Latency p99", p.latency.count ? millis(p.latency.p99Millis) : ["–"]),
      metric("Error rate", [percent(p.now.errorRate)], errorClass(p.now.errorRate)));

    const spark = el("div", "chart-box spark");
    const canvas = el("canvas", "spark-chart");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", p.id + " throughput, in and out");
    spark.append(canvas);

    const foot = el("div", "card-foot");
    const t = p.totals;
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

    c.append(head, metrics, spark, upstreamList(p), foot);
    return { element: c, canvas, series: history.products[p.id] };
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

  function renderProducts(doc) {
    const container = document.getElementById("products");
    for (const chart of state.sparks.values()) chart.destroy();
    state.sparks.clear();
    container.textContent = "";
    const labels = doc.history.times.map(clock);
    for (const p of doc.products) {
      const built = card(p, doc.history);
      container.append(built.element);
      state.sparks.set(p.id, sparkChart(built.canvas, colorOf(p.id), labels, built.series));
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
    renderProducts(doc);
    renderFips(doc);
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

  for (const button of document.querySelectorAll(".segmented button")) {
    button.addEventListener("click", () => {
      state.unit = button.dataset.unit;
      for (const b of document.querySelectorAll(".segmented button")) b.classList.toggle("active", b === button);
      if (state.doc) renderMainChart(state.doc);
    });
  }

  poll();
})();
