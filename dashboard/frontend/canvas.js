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
  const POINT_LAYERS = ["events", "garrisons", "bases"];
  const SYMBOL_RADIUS = { events: 6, garrisons: 9, bases: 9 };
  const LAYOUT_DATA = new Set(["labels", "leaders", "changes", "selected"]);
  const YEAR_LAYERS = new Set(["states", "disputed"]);

  const $ = (id) => document.getElementById(id);
  const ui = {
    map: $("map"), stamp: $("year-stamp"), note: $("status-note"), play: $("play"), slider: $("year"),
    yearValue: $("year-value"), speed: $("speed"), card: $("card"), legend: $("legend-items"),
    find: $("find"), findNames: $("find-names"), region: $("region"), online: $("online"),
    attribution: $("attribution"),
  };

  const S = {
    mode: "component",
    scene: null, view: null, frame: null,
    year: null, range: null, playing: false, lastStep: 0,
    yearRev: null, renderedYear: null, drawnYear: null,
    seq: 0, pickSeq: 0, picked: null,
    user: null, base: [], data: new Map(), deck: null, renderToken: 0, renderStarted: 0,
    layout: {}, layoutKey: null, viewState: null, region: null, symbolBoxes: [], labelBoxes: [],
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
      value: { year: S.year, picked: S.picked, pick_seq: S.pickSeq, region: S.region, seq: S.seq },
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
    } else if (name.startsWith("user-")) {
      data = (S.user && S.user.datasets[name]) || [];
    } else if (LAYOUT_DATA.has(name)) {
      data = [];  // computed for the view on screen by layout()
    } else {
      data = S.scene.datasets[name] || [];
      if (POINT_LAYERS.includes(name) && S.view.hidden.length) {
        const hidden = new Set(S.view.hidden);
        data = data.filter((row) => !hidden.has(row.id));
      }
    }
    S.data.set(key, data);
    return data;
  }
  function outlines(ids, moved) {
    const known = (id) => S.scene.geometries[id] || (S.user && S.user.geometries[id]);
    const geometry = (id) => (moved.has(id) ? { type: "Point", coordinates: moved.get(id) } : known(id));
    return {
      type: "FeatureCollection",
      features: ids.filter(known).map((id) => ({ type: "Feature", properties: { id }, geometry: geometry(id) })),
    };
  }

  function buildLayers() {
    S.data = new Map();
    S.layout = {};
    S.layoutKey = null;
    // Your own layers go above the map's, below the selection and comparison outlines.
    const own = S.view.layers.slice(0, -2);
    const all = [...own, ...((S.user && S.user.layers) || []), ...S.view.layers.slice(-2)];
    const specs = all.map((spec) => {
      const copy = Object.assign({}, spec);
      const timeFilter = typeof copy.timeFilter === "string" ? copy.timeFilter.replace(/^@@=/, "") : null;
      delete copy.timeFilter;
      const dataName = typeof copy.data === "string" && copy.data.startsWith("dataset:") ? copy.data.slice(8) : null;
      copy.data = [];
      return { copy, timeFilter, dataName };
    });
    const converted = jsonConverter.convert({ layers: specs.map((s) => s.copy) }).layers;
    const characters = labelCharacters();
    S.base = converted.map((layer, i) => ({
      layer: specs[i].dataName
        ? layer.clone(Object.assign({ data: datasetFor(specs[i].dataName) }, layer.id === "labels" ? { characterSet: characters } : {}))
        : layer,
      timeFilter: specs[i].timeFilter,
      dataName: specs[i].dataName,
    }));

  }
  // The font atlas must hold every character a name may need before the names arrive.
  function labelCharacters() {
    const set = new Set("0123456789");
    for (const row of S.scene.datasets.labels || []) for (const ch of row.text) set.add(ch);
    return Array.from(set).join("");
  }

  function refreshOverlays() {
    S.layoutKey = null;  // the outlines are part of the layout
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
    updateControls(); // the year stamp first: names are placed around it
    layout();
    const layers = S.base.map((e) => {
      const props = {};
      if (S.online && (e.dataName === "land" || e.dataName === "country-borders")) props.visible = false;
      if (e.timeFilter) props.filterRange = filterRange(e.timeFilter);
      if (e.dataName && S.layout[e.dataName]) props.data = S.layout[e.dataName];
      return Object.keys(props).length ? e.layer.clone(props) : e.layer;
    });
    if (S.online) layers.unshift(S.tiles || (S.tiles = tileLayer()));
    S.deck.setProps({ layers });
  }
  // The one thing that makes the browser fetch from outside: off by default, never from a link.
  ui.online.addEventListener("change", () => {
    S.online = ui.online.checked;
    ui.attribution.hidden = !S.online;
    render();
  });

  // ---- layout for the view on screen: symbols spread apart, names placed where they fit ----
  function viewport() {
    const v = S.viewState;
    const width = ui.map.clientWidth;
    const height = ui.map.clientHeight;
    if (!v || !width || !height) return null;
    return new core.WebMercatorViewport({ ...v, width, height });
  }
  function shownYears() {
    return S.range || [S.year, S.year];
  }
  function active(row, first, last) {
    return row.t0 <= last && row.t1 >= first;
  }
  function layout() {
    const vp = viewport();
    const [first, last] = shownYears();
    const key = [first, last, S.view && S.view.layers.length, S.data.size, S.picked, JSON.stringify(S.frame.highlight),
      vp && [vp.longitude, vp.latitude, vp.zoom, vp.width, vp.height].map((n) => n.toFixed(4)).join()].join("|");
    if (key === S.layoutKey) return;
    S.layoutKey = key;
    const moved = vp ? spreadSymbols(vp, first, last) : new Map();
    S.layout.selected = outlines(S.picked ? [S.picked] : [], moved);
    S.layout.changes = outlines(S.frame.highlight || [], moved);
    if (vp) placeLabels(vp, first, last);
  }

  // Symbols closer than their size are pushed apart, each by as little as it takes, with a
  // leader line to its true place: every site stays visible, clickable and citable.
  function spreadSymbols(vp, first, last) {
    const items = [];
    for (const name of POINT_LAYERS) {
      if (!S.data.has(name) || !S.base.some((e) => e.dataName === name)) continue;
      for (const row of S.data.get(name)) {
        if (!active(row, first, last)) continue;
        const [x, y] = vp.project(row.origin);
        items.push({ row, x, y, x0: x, y0: y, r: SYMBOL_RADIUS[name] + 1 });
      }
    }
    // Sites on the very same spot start apart by a deterministic angle.
    items.forEach((item, i) => {
      item.x += 0.5 * Math.cos(i * 2.399);
      item.y += 0.5 * Math.sin(i * 2.399);
    });
    for (let pass = 0; pass < 200; pass++) {
      let moved = false;
      for (let i = 0; i < items.length; i++) {
        for (let j = i + 1; j < items.length; j++) {
          const a = items[i];
          const b = items[j];
          const dx = b.x - a.x;
          const dy = b.y - a.y;
          const distance = Math.hypot(dx, dy) || 0.01;
          const overlap = a.r + b.r + 2 - distance;
          if (overlap <= 0) continue;
          const push = (overlap / 2 + 0.05) / distance;
          a.x -= dx * push;
          a.y -= dy * push;
          b.x += dx * push;
          b.y += dy * push;
          moved = true;
        }
      }
      if (!moved) break;
    }
    const moved = new Map();
    const leaders = [];
    S.symbolBoxes = items.map((item) => ({ id: item.row.id, x: item.x, y: item.y, r: item.r }));
    for (const item of items) {
      if (Math.hypot(item.x - item.x0, item.y - item.y0) < 1.5) continue;
      const position = vp.unproject([item.x, item.y]);
      moved.set(item.row.id, position);
      leaders.push({ from: item.row.origin, to: position });
    }
    // A site closed by the end of the (last) year shown is drawn white, as on print.
    for (const name of POINT_LAYERS) {
      if (!S.data.has(name)) continue;
      S.layout[name] = S.data.get(name).map((row) => {
        const closed = row.t1 <= last;
        if (!moved.has(row.id) && !closed) return row;
        const shown = Object.assign({}, row);
        if (moved.has(row.id)) shown.position = moved.get(row.id);
        if (closed) Object.assign(shown, { fill: row.closed_fill, text_color: row.closed_text });
        return shown;
      });
    }
    S.layout.leaders = leaders;
    return moved;
  }

  const measure = document.createElement("canvas").getContext("2d");
  const widths = new Map();
  function textWidth(text, size) {
    const key = `${size}|${text}`;
    if (!widths.has(key)) {
      measure.font = `${size}px ${S.scene.label_font}`;
      widths.set(key, measure.measureText(text).width);
    }
    return widths.get(key);
  }
  const HALO = 3; // the white outline around a name, in pixels (layers.py: outline_width)
  const overlaps = (a, b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

  // Names of areas: on their point, or just above, below or beside it.
  function centred(x, y, w, h) {
    return [[0, 0], [0, -h], [0, h], [-w / 3, 0], [w / 3, 0]].map(([dx, dy]) => ({
      anchor: "middle", baseline: "center", offset: [dx, dy],
      box: { x0: x - w / 2 + dx, x1: x + w / 2 + dx, y0: y - h / 2 + dy, y1: y + h / 2 + dy },
    }));
  }
  // A country may be named at any of its anchors (labels.py: label_anchors), best first,
  // then in smaller letters (row.smaller, from LABEL_STYLES).
  function onScreenAnchors(vp, row) {
    return row.anchors.filter((anchor) => {
      const [x, y] = vp.project(anchor);
      return x >= 0 && y >= 0 && x <= vp.width && y <= vp.height;
    });
  }
  function nameBox(lines, size) {
    return [Math.max(...lines.map((line) => textWidth(line, size))) + 2 * HALO, size * 1.2 * lines.length + HALO];
  }
  function countryCandidates(vp, row, lines) {
    const out = [];
    const anchors = onScreenAnchors(vp, row);
    for (const size of [row.size, row.size - row.smaller]) {
      const [w, h] = nameBox(lines, size);
      for (const anchor of anchors) {
        const [x, y] = vp.project(anchor);
        for (const c of centred(x, y, w, h)) out.push(Object.assign(c, { position: anchor, size }));
      }
    }
    return out;
  }
  // Last, for a name that found no room near its point (a small state in a crowded view, a
  // town in a cluster): farther out, with a thin line to it. Tried only once every other
  // name has had its near places, so these never push a neighbour's name away.
  function calloutCandidates(vp, row, lines, gap) {
    if (!row.anchors) {
      const [x, y] = vp.project(row.position);
      const [w, h] = nameBox(lines, row.size);
      const far = around(x, y, w, h, gap, FAR_STEPS).map((c) => Object.assign(c, { callout: [x, y] }));
      if (!row.smaller) return far;
      const size = row.size - row.smaller;
      const [ws, hs] = nameBox(lines, size);
      return far.concat(around(x, y, ws, hs, gap, WIDE_STEPS).map((c) => Object.assign(c, { size, callout: [x, y] })));
    }
    const size = row.size - row.smaller;
    const [w, h] = nameBox(lines, size);
    return onScreenAnchors(vp, row).flatMap((anchor) => {
      const [x, y] = vp.project(anchor);
      return around(x, y, w, h, row.callout, WIDE_STEPS).map((c) => Object.assign(c, { position: anchor, size, callout: [x, y] }));
    });
  }
  // The leader of a name set away from its point: from the point to the name's nearest edge.
  function calloutLeader(vp, origin, fits) {
    const [x, y] = fits.callout;
    const { x0, x1, y0, y1 } = fits.box;
    const edge = [Math.min(Math.max(x, x0), x1), Math.min(Math.max(y, y0), y1)];
    return { from: origin, to: vp.unproject(edge) };
  }
  // Names of places: beside their point, then farther out (past a cluster of symbols),
  // then on the diagonals; a name set farther out than LEADER_FROM gets a thin line to its point.
  const AROUND_STEPS = [0, 12, 26, 40];
  const FAR_STEPS = [12, 26, 40]; // the last resort (calloutCandidates)
  const WIDE_STEPS = [...AROUND_STEPS, 56]; // the last resort in smaller letters
  const LEADER_FROM = 20;
  function around(x, y, w, h, gap, steps = AROUND_STEPS) {
    const out = [];
    for (const step of steps) {
      const d = gap + step;
      const e = d * Math.SQRT1_2;
      const callout = d > LEADER_FROM ? [x, y] : null;
      out.push(
        { anchor: "start", baseline: "center", offset: [d, 0], box: { x0: x + d, x1: x + d + w, y0: y - h / 2, y1: y + h / 2 } },
        { anchor: "end", baseline: "center", offset: [-d, 0], box: { x0: x - d - w, x1: x - d, y0: y - h / 2, y1: y + h / 2 } },
        { anchor: "middle", baseline: "bottom", offset: [0, -d], box: { x0: x - w / 2, x1: x + w / 2, y0: y - d - h, y1: y - d } },
        { anchor: "middle", baseline: "top", offset: [0, d], box: { x0: x - w / 2, x1: x + w / 2, y0: y + d, y1: y + d + h } },
        { anchor: "start", baseline: "bottom", offset: [e, -e], box: { x0: x + e, x1: x + e + w, y0: y - e - h, y1: y - e } },
        { anchor: "end", baseline: "bottom", offset: [-e, -e], box: { x0: x - e - w, x1: x - e, y0: y - e - h, y1: y - e } },
        { anchor: "start", baseline: "top", offset: [e, e], box: { x0: x + e, x1: x + e + w, y0: y + e, y1: y + e + h } },
        { anchor: "end", baseline: "top", offset: [-e, e], box: { x0: x - e - w, x1: x - e, y0: y + e, y1: y + e + h } },
      );
      if (callout) out.slice(-8).forEach((c) => (c.callout = callout));
    }
    return out;
  }

  // Greedy placement, most important first: a name takes the first of its candidate
  // positions that stays on screen and clear of every placed name and every symbol;
  // a name with no room is left out rather than written over something.
  function placeLabels(vp, first, last) {
    const year = last;
    const shownSites = new Set((S.symbolBoxes || []).map((b) => b.id));
    const shownLayers = new Set(S.base.map((e) => e.dataName));
    const rows = (S.scene.datasets.labels || []).filter(
      (row) =>
        row.t0 <= year && row.t1 >= year &&
        (row.kind !== "town" || row.hosts.some((id) => shownSites.has(id))) &&
        (!row.layer || shownLayers.has(row.layer)),
    );
    // The region's own names (labels.focus_states) first, then by priority: as labels.rows_in_year.
    const inFocus = (row) => (row.focus === false ? 0 : 1);
    rows.sort((a, b) => inFocus(b) - inFocus(a) || b.priority - a.priority || a.text.localeCompare(b.text));
    // The region view's own names come first; names outside its box (Oslo, Cairo on the
    // whole-region view) only fill the room that is left, and never by a line from afar.
    const box = (S.scene.regions[S.region] || {}).bbox;
    const inBox = (row) =>
      !box || row.layer || (row.anchors || [row.position]).some(([lon, lat]) => lon >= box[0] && lon <= box[2] && lat >= box[1] && lat <= box[3]);
    const context = rows.filter((row) => !inBox(row));
    const obstacles = (S.symbolBoxes || []).map((b) => ({ x0: b.x - b.r, y0: b.y - b.r, x1: b.x + b.r, y1: b.y + b.r }));
    // The year stamp sits over the map's corner: nothing is written under it.
    const stamp = ui.stamp.getBoundingClientRect();
    const frame = ui.map.getBoundingClientRect();
    if (stamp.width) {
      obstacles.push({ x0: stamp.left - frame.left, y0: stamp.top - frame.top, x1: stamp.right - frame.left, y1: stamp.bottom - frame.top });
    }
    const placed = [];
    const out = [];
    const leaders = [];
    const margin = 2;
    // A line to a name set away from its point must not run through another name.
    const lineCrossesNames = (c) => {
      const [x, y] = c.callout;
      const ex = Math.min(Math.max(x, c.box.x0), c.box.x1);
      const ey = Math.min(Math.max(y, c.box.y0), c.box.y1);
      for (let i = 1; i < 12; i++) {
        const px = x + ((ex - x) * i) / 12;
        const py = y + ((ey - y) * i) / 12;
        if (placed.some((b) => px > b.x0 && px < b.x1 && py > b.y0 && py < b.y1)) return true;
      }
      return false;
    };
    const fitting = (candidates) =>
      candidates.find(
        (c) =>
          c.box.x0 >= margin && c.box.y0 >= margin && c.box.x1 <= vp.width - margin && c.box.y1 <= vp.height - margin &&
          !placed.some((b) => overlaps(b, c.box)) && !obstacles.some((b) => overlaps(b, c.box)) &&
          !(c.callout && lineCrossesNames(c)),
      );
    const place = (row, fits) => {
      placed.push(Object.assign({ text: row.text, kind: row.kind, size: fits.size || row.size, callout: Boolean(fits.callout) }, fits.box));
      if (fits.callout) leaders.push(calloutLeader(vp, fits.position || row.position, fits));
      out.push({
        position: fits.position || row.position, text: row.text, size: fits.size || row.size, color: row.color,
        anchor: fits.anchor, baseline: fits.baseline, offset: fits.offset,
      });
    };
    const near = (p) => p[0] >= -50 && p[1] >= -50 && p[0] <= vp.width + 50 && p[1] <= vp.height + 50;
    // A name's near places: a country at its anchors, an area on its point, a place beside it
    // (for a name outside the region's box, only as close as needs no line).
    const nearPlaces = (row, lines, gap, closeOnly) => {
      if (row.anchors) return countryCandidates(vp, row, lines);
      const [x, y] = vp.project(row.position);
      const [w, h] = nameBox(lines, row.size);
      if (gap === 0) return centred(x, y, w, h);
      return closeOnly ? around(x, y, w, h, gap, AROUND_STEPS.slice(0, 2)).filter((c) => !c.callout) : around(x, y, w, h, gap);
    };
    const crowded = [];
    for (const [group, closeOnly] of [[rows.filter(inBox), false], [context, true]]) {
      for (const row of group) {
        if (!(row.anchors || [row.position]).some((p) => near(vp.project(p)))) continue;
        const lines = row.text.split("\n");
        const gap = row.beside; // LABEL_STYLES: pixels between a point and its name (0: on it)
        const fits = fitting(nearPlaces(row, lines, gap, closeOnly));
        if (fits) place(row, fits);
        else if (!closeOnly && (row.anchors || row.beside)) crowded.push([row, lines, gap]);
      }
      // The region's crowded names take their farther places before any outside name is written.
      for (const [row, lines, gap] of crowded.splice(0)) {
        const fits = fitting(calloutCandidates(vp, row, lines, gap));
        if (fits) place(row, fits);
      }
    }
    S.layout.labels = out;
    S.layout.leaders = (S.layout.leaders || []).concat(leaders);
    S.labelBoxes = placed;
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
    if (id) select(id);
  }
  // A click on the map or a name chosen in Find: the feature is outlined and cited.
  function select(id) {
    S.picked = id;
    S.pickSeq += 1;
    refreshOverlays();
    render();
    if (S.mode === "standalone") showCard(id);
    else sendValue();
  }
  // Regions: framed here at once; Python learns the choice for the link.
  function buildRegions() {
    ui.region.replaceChildren(
      ...Object.entries(S.scene.regions).map(([code, region]) => Object.assign(document.createElement("option"), { value: code, textContent: region.title })),
    );
    ui.region.value = S.region;
  }
  ui.region.addEventListener("change", () => {
    frameRegion(ui.region.value);
    render();
    sendValue();
  });

  // Find: every feature by name; choosing one selects it and frames it.
  function buildFind() {
    ui.findNames.replaceChildren(
      ...Object.keys(S.scene.find).map((label) => Object.assign(document.createElement("option"), { value: label })),
    );
  }
  ui.find.addEventListener("change", () => {
    const id = S.scene && S.scene.find[ui.find.value];
    if (!id) return;
    const geometry = S.scene.geometries[id];
    if (geometry) {
      const [west, south, east, north] = bounds(geometry.coordinates);
      const vp = new core.WebMercatorViewport({ width: ui.map.clientWidth, height: ui.map.clientHeight });
      const pad = 0.5;
      const fitted = vp.fitBounds([[west - pad, south - pad], [east + pad, north + pad]], { padding: 40, maxZoom: 6 });
      S.viewState = { ...S.viewState, longitude: fitted.longitude, latitude: fitted.latitude, zoom: fitted.zoom };
      S.deck.setProps({ initialViewState: S.viewState });
    }
    select(id);
  });
  function bounds(coordinates) {
    const box = [Infinity, Infinity, -Infinity, -Infinity];
    const walk = (c) => {
      if (typeof c[0] === "number") {
        box[0] = Math.min(box[0], c[0]); box[1] = Math.min(box[1], c[1]);
        box[2] = Math.max(box[2], c[0]); box[3] = Math.max(box[3], c[1]);
      } else c.forEach(walk);
    };
    walk(coordinates);
    return box;
  }

  function showCard(id) {
    const card = (S.view.cards || {})[id] || (S.user && S.user.cards && S.user.cards[id]);
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
      ...[...S.scene.legend, ...((S.user && S.user.legend) || [])].map((item) => {
        const row = Object.assign(document.createElement("div"), { className: "legend-item" });
        const swatch = Object.assign(document.createElement("span"), { className: "legend-swatch", textContent: item.symbol || "" });
        const [r, g, b, a] = item.color;
        swatch.style.background = `rgba(${r},${g},${b},${(a / 255).toFixed(2)})`;
        if (item.shape === "circle" || item.shape === "halo" || item.shape === "hollow") swatch.style.borderRadius = "50%";
        if (item.shape === "line") swatch.style.height = "4px";
        if (item.dash) {
          // The item's dash and gap, in line widths, drawn at the swatch's 3 px line width.
          const [on, off] = item.dash.map((w) => w * 2.5);
          swatch.style.background = `repeating-linear-gradient(90deg, rgba(${r},${g},${b},1) 0 ${on}px, transparent ${on}px ${on + off}px)`;
        }
        if (item.shape === "hollow") Object.assign(swatch.style, { background: "#fff", border: "2px solid #777" });
        const edge = `2px solid rgba(${r},${g},${b},1)`;
        if (item.shape === "ring") Object.assign(swatch.style, { background: "transparent", border: edge, borderRadius: "50%" });
        if (item.shape === "user") Object.assign(swatch.style, { background: "#fff", border: edge, borderRadius: "50%" });
        if (item.shape === "note") swatch.style.background = "transparent";
        row.append(swatch, document.createTextNode(item.label));
        return row;
      }),
    );
  }

  // A region frame: fitted to the map's size, applied when the region changes (never on an
  // ordinary rerun, so the person's own pan and zoom stay).
  function regionView(code) {
    const region = S.scene.regions[code] || S.scene.regions.eurasia;
    const [west, south, east, north] = region.bbox;
    const limits = { minZoom: S.scene.initial_view.min_zoom, maxZoom: S.scene.initial_view.max_zoom };
    const width = ui.map.clientWidth || 800;
    const height = ui.map.clientHeight || 560;
    const fitted = new core.WebMercatorViewport({ width, height }).fitBounds([[west, south], [east, north]], { padding: 8 });
    return { longitude: fitted.longitude, latitude: fitted.latitude, zoom: fitted.zoom, pitch: 0, bearing: 0, ...limits };
  }
  function frameRegion(code) {
    S.region = code;
    ui.region.value = code;
    S.viewState = regionView(code);
    S.layoutKey = null;
    if (S.deck) S.deck.setProps({ initialViewState: S.viewState });
  }
  let relayoutPending = false;
  function onViewStateChange({ viewState }) {
    S.viewState = viewState;
    if (!relayoutPending) {
      relayoutPending = true;
      requestAnimationFrame(() => {
        relayoutPending = false;
        render();
      });
    }
  }

  function createDeck() {
    S.region = S.frame.region;
    S.viewState = regionView(S.region);
    S.deck = new core.Deck({
      parent: ui.map,
      initialViewState: S.viewState,
      onViewStateChange,
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

  function show(scene, view, frame, user) {
    const sceneChanged = scene !== S.scene;
    const viewChanged = view !== S.view || user !== S.user;
    S.user = user;
    const overlays = JSON.stringify([frame.highlight, frame.selected]) !== JSON.stringify(S.frame && [S.frame.highlight, S.frame.selected]);
    S.scene = scene;
    S.view = view;
    applyFrame(frame);
    if (!S.deck) {
      createDeck();
      buildLegend();
      buildFind();
      buildRegions();
    } else if (viewChanged) {
      buildLegend();
    }
    if (frame.region !== S.region) {
      frameRegion(frame.region);
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
    const key = JSON.stringify([args.scene, args.view, args.user, args.frame]);
    if (key === lastArgs) return;
    lastArgs = key;
    const token = ++S.renderToken;
    if (!S.scene) ui.note.textContent = "Loading the map…";
    try {
      const [scene, view, user] = await Promise.all([
        loadBlob(args.scene), loadBlob(args.view), args.user ? loadBlob(args.user) : null,
      ]);
      if (token !== S.renderToken) return;
      show(scene, view, args.frame, user);
    } catch (error) {
      ui.note.textContent = `The map could not be drawn: ${error.message}`;
    }
  }

  const boot = document.getElementById("canvas-boot");
  if (boot) {
    S.mode = "standalone";
    const data = JSON.parse(boot.textContent);
    document.title = data.title;
    show(data.scene, data.view, data.frame, data.user || null);
  } else {
    window.addEventListener("message", (event) => {
      if (event.source !== window.parent || !event.data || event.data.type !== "streamlit:render") return;
      onRender(event.data.args || {});
    });
    toStreamlit("streamlit:componentReady", { apiVersion: 1 });
    fitFrame();
  }
  window.__canvas = S;
  // For tests and the benchmark: where a place is on screen, in pixels from the map's corner.
  S.project = (lon, lat) => {
    const vp = viewport();
    return vp ? vp.project([lon, lat]) : null;
  };
})();
