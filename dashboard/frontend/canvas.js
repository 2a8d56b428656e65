// The map canvas: renders pydeck's layer JSON with deck.gl's JSON converter, filters time
// on the GPU (DataFilterExtension) and plays the years in the browser, with no script rerun.
// Runs inside a Streamlit component iframe (data fetched once per session from content-
// addressed files) or as a standalone page (data inline). Data is text: every value from
// the data reaches the page through textContent or an escaping function, never as markup.
(function () {
  "use strict";

  const core = window.__deckCore || window.deck;
  const jsonModule = window.deck && window.deck.JSONConverter ? window.deck : core;
  const OPEN = 1e4;
  const POINT_LAYERS = new Set(["events", "garrisons", "bases"]);
  const YEAR_LAYERS = new Set(["states", "disputed"]);

  const $ = (id) => document.getElementById(id);
  const ui = {
    map: $("map"), stamp: $("year-stamp"), note: $("status-note"), play: $("play"), slider: $("year"),
    yearValue: $("year-value"), speed: $("speed"), card: $("card"), legend: $("legend-items"),
  };

  const S = {
    mode: "component",
    scene: null, view: null, frame: null,
    year: null, range: null, playing: false, lastStep: 0,
    yearRev: null, renderedYear: null, drawnYear: null,
    seq: 0, pickSeq: 0, picked: null,
    base: [], data: new Map(), deck: null, renderToken: 0, renderStarted: 0,
  };
  // Read by the browser tests and the benchmark: what was drawn, and how long frames took.
  const stats = (window.__canvasStats = { drawn: [], frameMs: [], valuesSent: 0 });

  function escapeHtml(text) {
    return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }
  const isHttpUrl = (url) => /^https?:\/\/[^\s]+$/i.test(String(url || ""));

  // ---- Streamlit component protocol (components v1, by postMessage) ----
  function toStreamlit(type, data) {
    if (S.mode !== "component") return;
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type }, data), "*");
  }
  function sendValue() {
    stats.valuesSent += 1;
    S.seq += 1;
    toStreamlit("streamlit:setComponentValue", {
      value: { year: S.year, picked: S.picked, pick_seq: S.pickSeq, seq: S.seq },
      dataType: "json",
    });
  }
  function fitFrame() {
    toStreamlit("streamlit:setFrameHeight", { height: Math.ceil(document.documentElement.scrollHeight) + 2 });
  }

  // ---- deck.gl JSON converter over every layer and extension class the bundle has ----
  function converter() {
    const classes = {};
    for (const [name, value] of Object.entries(core)) {
      if (typeof value !== "function" || !value.prototype) continue;
      if (value.prototype instanceof core.Layer || value.prototype instanceof core.LayerExtension) classes[name] = value;
    }
    return new jsonModule.JSONConverter({ configuration: new jsonModule.JSONConfiguration({ classes }) });
  }
  const jsonConverter = converter();

  function datasetFor(name) {
    const key = name;
    if (S.data.has(key)) return S.data.get(key);
    let data;
    if (YEAR_LAYERS.has(name)) {
      data = (S.view.datasets[name] || [])
        .filter((row) => S.scene.geometries[row.id])
        .map((row) => ({ type: "Feature", geometry: S.scene.geometries[row.id], properties: row }));
    } else if (name === "changes") {
      data = outlines(S.frame.highlight || []);
    } else if (name === "selected") {
      data = outlines(S.picked ? [S.picked] : []);
    } else {
      data = S.scene.datasets[name] || [];
      if (POINT_LAYERS.has(name) && S.view.hidden.length) {
        const hidden = new Set(S.view.hidden);
        data = data.filter((row) => !hidden.has(row.id));
      }
    }
    S.data.set(key, data);
    return data;
  }
  function outlines(ids) {
    return {
      type: "FeatureCollection",
      features: ids.filter((id) => S.scene.geometries[id]).map((id) => ({ type: "Feature", properties: { id }, geometry: S.scene.geometries[id] })),
    };
  }

  function buildLayers() {
    S.data = new Map();
    const specs = S.view.layers.map((spec) => {
      const copy = Object.assign({}, spec);
      const timeFilter = typeof copy.timeFilter === "string" ? copy.timeFilter.replace(/^@@=/, "") : null;
      delete copy.timeFilter;
      const dataName = typeof copy.data === "string" && copy.data.startsWith("dataset:") ? copy.data.slice(8) : null;
      copy.data = [];
      return { copy, timeFilter, dataName };
    });
    const converted = jsonConverter.convert({ layers: specs.map((s) => s.copy) }).layers;
    S.base = converted.map((layer, i) => ({
      layer: specs[i].dataName ? layer.clone({ data: datasetFor(specs[i].dataName) }) : layer,
      timeFilter: specs[i].timeFilter,
      dataName: specs[i].dataName,
    }));
    if (S.view.online_basemap) S.base.unshift({ layer: tileLayer(), timeFilter: null, dataName: null });
  }
  function refreshOverlays() {
    for (const name of ["changes", "selected"]) S.data.delete(name);
    S.base = S.base.map((entry) =>
      entry.dataName === "changes" || entry.dataName === "selected" ? Object.assign({}, entry, { layer: entry.layer.clone({ data: datasetFor(entry.dataName) }) }) : entry,
    );
  }
  function tileLayer() {
    return new core.TileLayer({
      id: "online-tiles", data: S.scene.online_tiles, minZoom: 0, maxZoom: 19, tileSize: 256,
      renderSubLayers: (props) => {
        const [[west, south], [east, north]] = props.tile.boundingBox;
        return new core.BitmapLayer(props, { data: null, image: props.data, bounds: [west, south, east, north] });
      },
    });
  }

  function filterRange(mode) {
    const [first, last] = S.range || [S.year, S.year];
    return mode === "year" ? [[0, last], [last, OPEN]] : [[0, last], [first, OPEN]];
  }

  function render() {
    if (!S.deck || !S.view) return;
    S.renderedYear = S.range ? null : S.year;
    S.renderStarted = performance.now();
    const layers = S.base.map((e) => (e.timeFilter ? e.layer.clone({ filterRange: filterRange(e.timeFilter) }) : e.layer));
    S.deck.setProps({ layers });
    updateControls();
  }

  function afterRender() {
    const now = performance.now();
    if (S.renderStarted) {
      stats.frameMs.push(now - S.renderStarted);
      S.renderStarted = 0;
    }
    if (S.renderedYear !== null && S.drawnYear !== S.renderedYear) {
      S.drawnYear = S.renderedYear;
      stats.drawn.push({ year: S.drawnYear, t: now, playing: S.playing });
    }
  }

  function updateControls() {
    const first = S.scene.first_year;
    const last = S.scene.last_year;
    ui.slider.min = String(first);
    ui.slider.max = String(last);
    if (Number(ui.slider.value) !== S.year) ui.slider.value = String(S.year);
    ui.stamp.textContent = S.range ? `${S.range[0]}–${S.range[1]}` : String(S.year);
    ui.stamp.classList.toggle("range", Boolean(S.range));
    ui.yearValue.textContent = S.range ? "" : String(S.year);
    ui.slider.disabled = Boolean(S.range);
    ui.play.disabled = Boolean(S.range);
    ui.play.textContent = S.playing ? "⏸ Pause" : "▶ Play";
    ui.play.setAttribute("aria-label", S.playing ? "Pause" : "Play");
  }

  // ---- the player: advances only after the previous year was drawn, so none is skipped ----
  function speed() {
    return Math.max(0.1, Number(ui.speed.value) || 1);
  }
  function play() {
    if (S.range) return;
    if (S.year >= S.scene.last_year) S.year = S.scene.first_year;
    S.playing = true;
    S.lastStep = performance.now();
    render();
    requestAnimationFrame(step);
  }
  function step(now) {
    if (!S.playing) return;
    if (S.drawnYear === S.year && now - S.lastStep >= 1000 / speed()) {
      if (S.year >= S.scene.last_year) {
        pause();
        return;
      }
      S.year += 1;
      S.lastStep = now;
      render();
    }
    requestAnimationFrame(step);
  }
  function pause() {
    // Keep the year the person sees: the newest drawn one.
    S.playing = false;
    if (S.drawnYear !== null) S.year = S.drawnYear;
    render();
    sendValue();
  }

  ui.play.addEventListener("click", () => (S.playing ? pause() : play()));
  ui.slider.addEventListener("input", () => {
    if (S.playing) S.playing = false;
    S.year = Number(ui.slider.value);
    render();
  });
  ui.slider.addEventListener("change", () => sendValue());
  $("card-close").addEventListener("click", () => {
    ui.card.hidden = true;
  });

  // ---- hover and click ----
  function tooltip(info) {
    const o = info.object;
    const p = o && (o.properties || o);
    if (!p || !p.tt_title) return null;
    return {
      html:
        `<b>${escapeHtml(p.tt_title)}</b><br/>${escapeHtml(p.tt_kind)} · ${escapeHtml(p.tt_dates)}<br/>${escapeHtml(p.tt_status)}` +
        `<br/><span class="tt-source">Source: ${escapeHtml(p.tt_source)}</span>`,
      style: { backgroundColor: "#1f2430", color: "white", fontSize: "12px", maxWidth: "320px" },
    };
  }
  function onClick(info) {
    const o = info.object;
    const id = o && ((o.properties && o.properties.id) || o.id);
    if (!id) return;
    S.picked = id;
    S.pickSeq += 1;
    refreshOverlays();
    render();
    if (S.mode === "standalone") showCard(id);
    else sendValue();
  }
  function showCard(id) {
    const card = (S.view.cards || {})[id];
    if (!card) return;
    $("card-title").textContent = card.title;
    const lines = $("card-lines");
    lines.replaceChildren(...card.lines.map((line) => Object.assign(document.createElement("li"), { textContent: line })));
    const citations = $("card-citations");
    citations.replaceChildren(
      ...card.citations.map((c) => {
        const li = document.createElement("li");
        li.append(document.createTextNode(c.text));
        if (c.claim) li.append(document.createElement("br"), document.createTextNode(`Supports: ${c.claim}`));
        if (isHttpUrl(c.url)) {
          const a = Object.assign(document.createElement("a"), { href: c.url, textContent: "link", target: "_blank", rel: "noopener noreferrer" });
          li.append(" ", a);
        }
        return li;
      }),
    );
    ui.card.hidden = false;
  }

  function buildLegend() {
    if (!ui.legend) return;
    ui.legend.replaceChildren(
      ...S.scene.legend.map((item) => {
        const row = Object.assign(document.createElement("div"), { className: "legend-item" });
        const swatch = Object.assign(document.createElement("span"), { className: "legend-swatch", textContent: item.symbol || "" });
        const [r, g, b, a] = item.color;
        swatch.style.background = `rgba(${r},${g},${b},${(a / 255).toFixed(2)})`;
        if (item.shape === "circle" || item.shape === "halo" || item.shape === "hollow") swatch.style.borderRadius = "50%";
        if (item.shape === "line") swatch.style.height = "4px";
        if (item.shape === "hollow") Object.assign(swatch.style, { background: "#fff", border: "2px solid #777" });
        row.append(swatch, document.createTextNode(item.label));
        return row;
      }),
    );
  }

  function createDeck() {
    const v = S.scene.initial_view;
    S.deck = new core.Deck({
      parent: ui.map,
      initialViewState: { latitude: v.latitude, longitude: v.longitude, zoom: v.zoom, minZoom: v.min_zoom, maxZoom: v.max_zoom },
      controller: true,
      views: new core.MapView({ repeat: false }),
      layers: [],
      getTooltip: tooltip,
      onClick,
      onAfterRender: afterRender,
    });
  }

  // Apply a state from Python: the year only when Python itself changed it (year_rev),
  // so a late rerun never rewinds a year the person has since moved on from.
  function applyFrame(frame) {
    const first = !S.frame;
    S.frame = frame;
    S.range = frame.range;
    if (frame.year_rev !== S.yearRev) {
      S.yearRev = frame.year_rev;
      if (S.year !== frame.year) {
        S.playing = false;
        S.year = frame.year;
      }
    }
    if (first || frame.selected !== S.picked) S.picked = frame.selected;
  }

  function show(scene, view, frame) {
    const sceneChanged = scene !== S.scene;
    const viewChanged = view !== S.view;
    const overlays = JSON.stringify([frame.highlight, frame.selected]) !== JSON.stringify(S.frame && [S.frame.highlight, S.frame.selected]);
    S.scene = scene;
    S.view = view;
    applyFrame(frame);
    if (!S.deck) {
      createDeck();
      buildLegend();
    }
    if (sceneChanged || viewChanged) buildLayers();
    else if (overlays) refreshOverlays();
    render();
    ui.note.textContent = "";
    fitFrame();
  }

  // ---- two ways in: the Streamlit component, or the inline data of a standalone page ----
  const blobs = new Map();
  function loadBlob(name) {
    if (!blobs.has(name)) {
      blobs.set(
        name,
        fetch(`data/${encodeURIComponent(name)}`).then((response) => {
          if (!response.ok) throw new Error(`map data ${name}: HTTP ${response.status}`);
          return response.json();
        }),
      );
    }
    return blobs.get(name);
  }
  let lastArgs = "";
  async function onRender(args) {
    const key = JSON.stringify([args.scene, args.view, args.frame]);
    if (key === lastArgs) return;
    lastArgs = key;
    const token = ++S.renderToken;
    if (!S.scene) ui.note.textContent = "Loading the map…";
    try {
      const [scene, view] = await Promise.all([loadBlob(args.scene), loadBlob(args.view)]);
      if (token !== S.renderToken) return;
      show(scene, view, args.frame);
    } catch (error) {
      ui.note.textContent = `The map could not be drawn: ${error.message}`;
    }
  }

  const boot = document.getElementById("canvas-boot");
  if (boot) {
    S.mode = "standalone";
    const data = JSON.parse(boot.textContent);
    document.title = data.title;
    show(data.scene, data.view, data.frame);
  } else {
    window.addEventListener("message", (event) => {
      if (event.source !== window.parent || !event.data || event.data.type !== "streamlit:render") return;
      onRender(event.data.args || {});
    });
    toStreamlit("streamlit:componentReady", { apiVersion: 1 });
    fitFrame();
  }
  window.__canvas = S;
})();
