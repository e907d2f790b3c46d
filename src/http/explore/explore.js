// southgraph explorer: a world map, a chord diagram and a table over the public GraphQL API.
//
// Plain JavaScript and SVG, no dependencies and no build step. The TopoJSON decoding, the
// Natural Earth projection and the chord layout are written out below. The page loads
// nothing but its own assets, /graphql and (on a click) /export/flows.csv.
'use strict';

const $ = (id) => document.getElementById(id);
const SVG_NS = $('map').namespaceURI;
const ASSET_VERSION = document.body.dataset.assetVersion;

// ---------------------------------------------------------------------------------------
// The API

/**
 * The two kind families, which the page never adds up: official finance (every kind but
 * trade) and trade (exports of goods). Each says how it names itself in the headings.
 */
const FAMILIES = {
  official: { filter: { not: { kind: ['TRADE'] } }, name: 'official finance', title: 'Official finance' },
  trade: { filter: { kind: ['TRADE'] }, name: 'trade (exports)', title: 'Trade (exports)' },
};

/** The largest groups first: by the sum in real dollars, then, among equal sums, by count. */
const LARGEST_FIRST = '[{ measure: USD_REAL }, { measure: COUNT }]';

/**
 * Room for every group of countries: more than there are countries (249), with the group of
 * flows without one. The API charges a list's `first`, not its length, so no more.
 */
const EVERY_COUNTRY = 300;

const PROVIDER_FIELDS = 'provider { iso3 name isoNumeric } count countWithAmount sumUsdReal';

/** The provider list of each family, for the families' filters (with "South only" or not). */
const PROVIDERS_QUERY = `query ExplorerProviders($official: FlowFilter!, $trade: FlowFilter!) {
  official: flowStats(filter: $official, groupBy: [PROVIDER], orderBy: ${LARGEST_FIRST}, first: ${EVERY_COUNTRY}) { ${PROVIDER_FIELDS} }
  trade: flowStats(filter: $trade, groupBy: [PROVIDER], orderBy: ${LARGEST_FIRST}, first: ${EVERY_COUNTRY}) { ${PROVIDER_FIELDS} }
}`;

const OVERVIEW_QUERY = `query ExplorerOverview {
  years: flowStats(groupBy: [YEAR], kindFamily: ALL, first: 1000) { year count }
  sources(first: 100) { nodes { title licence citation } }
}`;

const SELECTION_QUERY = `query ExplorerSelection($filter: FlowFilter!, $period: FlowFilter!, $from: Int!, $to: Int!) {
  recipients: flowStats(filter: $filter, groupBy: [RECIPIENT], orderBy: ${LARGEST_FIRST}, first: ${EVERY_COUNTRY}) {
    recipient { iso3 name isoNumeric } count countWithAmount sumUsdReal sumUsdCurrent avgUsdCurrent
  }
  regions: flowMatrix(filter: $period, level: REGION, measure: USD_REAL) { labels matrix }
  perYear: flowTimeSeriesChart(filter: $filter, from: $from, to: $to) { vegaLite }
}`;

/**
 * Runs a GraphQL query; throws with the server's messages when it reports errors. Returns
 * `{ data, extensions }` (the response's extensions, `{}` when it has none).
 */
async function graphql(query, variables = {}) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json().catch(() => null);
  if (!body || !body.data || (body.errors && body.errors.length)) {
    const messages = body && body.errors ? body.errors.map((error) => error.message).join('; ') : '';
    throw new Error(messages || `the API answered ${response.status}`);
  }
  return { data: body.data, extensions: body.extensions || {} };
}

/**
 * The caveats a response carries (`extensions.caveats`: `{ code, message }` each), those
 * with a code and a message only.
 */
function caveatsOf(extensions) {
  const caveats = Array.isArray(extensions.caveats) ? extensions.caveats : [];
  return caveats.filter((caveat) => caveat && typeof caveat.code === 'string' && caveat.code
    && typeof caveat.message === 'string' && caveat.message.trim());
}

// ---------------------------------------------------------------------------------------
// Formatting

const usdCompact = new Intl.NumberFormat('en', {
  style: 'currency', currency: 'USD', notation: 'compact', maximumSignificantDigits: 3,
});
const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

/** What a group's flows without any amount show instead of a sum of "$0". */
const NO_AMOUNTS = 'no amounts';

/** A group's sum in real dollars, compact, or "no amounts" when none of its flows has one. */
function realSum(row) {
  return row.countWithAmount > 0 ? usdCompact.format(row.sumUsdReal) : NO_AMOUNTS;
}

/** An SVG element with attributes, appended to a parent when one is given. */
function svg(tag, attributes = {}, parent = null) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  if (parent) parent.append(element);
  return element;
}

/** Sets the hover text of an SVG element (its <title> child). */
function setTitle(element, text) {
  let title = element.querySelector('title');
  if (!title) title = svg('title', {}, element);
  title.textContent = text;
}

/** The colour stops of the map's scale, from the stylesheet. */
function scaleStops() {
  const style = getComputedStyle(document.documentElement);
  return ['--scale-low', '--scale-mid', '--scale-high'].map((name) => {
    const hex = style.getPropertyValue(name).trim().replace('#', '');
    return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  });
}

/** The colour at t in [0, 1] along the stops, as rgb(). */
function colourAt(stops, t) {
  const position = Math.min(Math.max(t, 0), 1) * (stops.length - 1);
  const i = Math.min(Math.floor(position), stops.length - 2);
  const f = position - i;
  const rgb = stops[i].map((low, k) => Math.round(low + (stops[i + 1][k] - low) * f));
  return `rgb(${rgb.join(',')})`;
}

// ---------------------------------------------------------------------------------------
// The world map: TopoJSON decoded by hand, drawn in the Natural Earth projection

/**
 * The Natural Earth projection (Šavrič, Jenny, Patterson, Petrovič, Hurni 2011), from
 * degrees to plane units: its published polynomial.
 */
function naturalEarth(longitude, latitude) {
  const lambda = (longitude * Math.PI) / 180;
  const phi = (latitude * Math.PI) / 180;
  const phi2 = phi * phi;
  const phi4 = phi2 * phi2;
  return [
    lambda * (0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4))),
    phi * (1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4))),
  ];
}

const MAP_WIDTH = 960;
const MAP_NORTH = 84; // degrees: the map is cut to the inhabited latitudes
const MAP_SOUTH = -57;
const MAP_SCALE = MAP_WIDTH / (2 * naturalEarth(180, 0)[0]);
const MAP_TOP = naturalEarth(0, MAP_NORTH)[1];
const MAP_HEIGHT = Math.ceil((MAP_TOP - naturalEarth(0, MAP_SOUTH)[1]) * MAP_SCALE);

/** A point in degrees on the map, in SVG units, to a tenth. */
function toMap(longitude, latitude) {
  const [x, y] = naturalEarth(longitude, latitude);
  return [Math.round((x * MAP_SCALE + MAP_WIDTH / 2) * 10) / 10, Math.round((MAP_TOP - y) * MAP_SCALE * 10) / 10];
}

/** The topology's arcs, delta-decoded and unquantised, in degrees. */
function decodeArcs(topology) {
  const [scaleX, scaleY] = topology.transform.scale;
  const [translateX, translateY] = topology.transform.translate;
  return topology.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    return arc.map(([dx, dy]) => {
      x += dx;
      y += dy;
      return [x * scaleX + translateX, y * scaleY + translateY];
    });
  });
}

/**
 * The SVG path of one ring: its arcs joined (a negative index ~i is arc i reversed), then
 * projected. A ring that crosses the antimeridian (Chukotka, Fiji) is made continuous and
 * pressed against the map's edge on the side where it starts, instead of striping the map.
 */
function ringPath(ring, arcs) {
  const points = [];
  for (const index of ring) {
    const arc = index >= 0 ? arcs[index] : arcs[~index].slice().reverse();
    points.push(...(points.length ? arc.slice(1) : arc));
  }
  let shift = 0;
  const continuous = points.map(([longitude, latitude], i) => {
    if (i > 0) {
      const step = longitude - points[i - 1][0];
      if (step > 180) shift -= 360;
      else if (step < -180) shift += 360;
    }
    return [longitude + shift, latitude];
  });
  const projected = continuous.map(([longitude, latitude]) => toMap(Math.min(Math.max(longitude, -180), 180), latitude));
  return `M${projected.map((point) => point.join(',')).join('L')}Z`;
}

/** The SVG path of a Polygon or MultiPolygon geometry. */
function geometryPath(geometry, arcs) {
  const polygons = geometry.type === 'Polygon' ? [geometry.arcs] : geometry.type === 'MultiPolygon' ? geometry.arcs : [];
  return polygons.flatMap((rings) => rings.map((ring) => ringPath(ring, arcs))).join('');
}

/** Country shapes by ISO 3166 numeric code (as an integer). */
const countryShapes = new Map();

/** Draws every country of the TopoJSON once; the choropleth only recolours them. */
function drawWorld(topology) {
  const map = $('map');
  map.setAttribute('viewBox', `0 0 ${MAP_WIDTH} ${MAP_HEIGHT}`);
  const arcs = decodeArcs(topology);
  const group = svg('g', { class: 'countries' }, map);
  for (const geometry of topology.objects.countries.geometries) {
    if (geometry.id === '010') continue; // Antarctica: no recipient, and half the map's height
    const path = svg('path', { class: 'country', d: geometryPath(geometry, arcs) }, group);
    const name = (geometry.properties && geometry.properties.name) || 'Unnamed territory';
    setTitle(path, name);
    path.dataset.name = name;
    if (geometry.id != null) {
      const code = parseInt(geometry.id, 10);
      path.dataset.isoNumeric = String(code);
      countryShapes.set(code, path);
    }
  }
}

/**
 * Colours the map by each recipient's sum in real US dollars of 2025, on a log scale. The map's shapes
 * are keyed by ISO 3166-1 numeric code, as countries' `isoNumeric` (M49 has no Taiwan).
 */
function renderMap(rows, providerCode) {
  const stops = scaleStops();
  const values = rows.filter((row) => row.recipient && row.sumUsdReal > 0).map((row) => row.sumUsdReal);
  const low = Math.log(Math.min(...values, Infinity));
  const high = Math.log(Math.max(...values, -Infinity));
  const byCode = new Map();
  for (const row of rows) {
    if (row.recipient && row.recipient.isoNumeric) byCode.set(parseInt(row.recipient.isoNumeric, 10), row);
  }
  for (const [code, path] of countryShapes) {
    const row = byCode.get(code);
    path.classList.toggle('provider', code === providerCode);
    if (row && row.sumUsdReal > 0) {
      const t = high > low ? (Math.log(row.sumUsdReal) - low) / (high - low) : 1;
      path.style.fill = colourAt(stops, t);
      path.classList.add('filled');
      setTitle(path, `${row.recipient.name}: ${usdCompact.format(row.sumUsdReal)} (US$ of 2025), ${integer.format(row.count)} flows`);
    } else {
      path.style.fill = '';
      path.classList.remove('filled');
      setTitle(path, row ? `${row.recipient.name}: ${realSum(row)}, ${integer.format(row.count)} flows` : path.dataset.name);
    }
  }
  renderLegend(stops, values.length ? [Math.exp(low), Math.exp((low + high) / 2), Math.exp(high)] : []);
}

/** The legend: the colour ramp with its smallest, middle (geometric) and largest amounts. */
function renderLegend(stops, amounts) {
  const legend = $('legend');
  legend.replaceChildren();
  if (!amounts.length) {
    legend.textContent = 'No amounts for this selection.';
    return;
  }
  const ramp = document.createElement('span');
  ramp.className = 'ramp';
  for (let i = 0; i < 24; i++) {
    const cell = document.createElement('span');
    cell.style.background = colourAt(stops, i / 23);
    ramp.append(cell);
  }
  const labels = document.createElement('span');
  labels.className = 'ramp-labels';
  for (const amount of amounts) {
    const label = document.createElement('span');
    label.textContent = usdCompact.format(amount);
    labels.append(label);
  }
  const caption = document.createElement('span');
  caption.textContent = 'Sum, US$ of 2025 (log scale); grey: none.';
  legend.append(ramp, labels, caption);
}

// ---------------------------------------------------------------------------------------
// The chord diagram: directed flows between regions

const REGION_COLOURS = ['#c0392b', '#2e86ab', '#e6a23c', '#27ae60', '#8e44ad', '#16a085', '#d35400', '#7f8c8d', '#2c3e50', '#b03a77', '#6d8a2b'];
const CHORD_OUTER = 232;
/** The chord diagram's view box before it widens to fit its labels. */
const CHORD_VIEW_BOX = '-330 -300 660 600';
const CHORD_INNER = 216;

/**
 * Lays the regions around the circle. A region's arc is proportional to what it provided
 * (its row sum) plus what it received (its column sum): first its outgoing part, then its
 * incoming part. A ribbon i → j runs from a slice of i's outgoing part to a slice of j's
 * incoming part, both as wide as matrix[i][j], so a region that only receives still shows.
 */
function chordLayout(matrix, padding = 0.04) {
  const n = matrix.length;
  const provided = matrix.map((row) => row.reduce((sum, value) => sum + value, 0));
  const received = matrix.map((_, j) => matrix.reduce((sum, row) => sum + row[j], 0));
  const total = provided.reduce((a, b) => a + b, 0) + received.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return null;
  const perUnit = (2 * Math.PI - padding * n) / total;
  const groups = [];
  const outCursor = [];
  const inCursor = [];
  let angle = 0;
  for (let i = 0; i < n; i++) {
    const start = angle;
    outCursor[i] = start;
    inCursor[i] = start + provided[i] * perUnit;
    angle += (provided[i] + received[i]) * perUnit;
    groups.push({ index: i, start, end: angle, provided: provided[i], received: received[i] });
    angle += padding;
  }
  const ribbons = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const value = matrix[i][j];
      if (!(value > 0)) continue;
      const width = value * perUnit;
      ribbons.push({ source: i, target: j, value, from: [outCursor[i], outCursor[i] + width], to: [inCursor[j], inCursor[j] + width] });
      outCursor[i] += width;
      inCursor[j] += width;
    }
  }
  return { groups, ribbons };
}

/** A point at an angle (clockwise from twelve o'clock) and radius. */
function polar(angle, radius) {
  return `${(radius * Math.sin(angle)).toFixed(1)},${(-radius * Math.cos(angle)).toFixed(1)}`;
}

/** An arc along the circle of radius r from angle a0 to a1 (clockwise), without the move. */
function arcTo(r, a0, a1, clockwise = true) {
  const large = Math.abs(a1 - a0) > Math.PI ? 1 : 0;
  return `A${r},${r} 0 ${large} ${clockwise ? 1 : 0} ${polar(a1, r)}`;
}

/** A ribbon: along the source slice, a quadratic curve through the centre, along the target slice, and back. */
function ribbonPath({ from, to }) {
  const r = CHORD_INNER;
  return `M${polar(from[0], r)}${arcTo(r, from[0], from[1])}Q0,0 ${polar(to[0], r)}${arcTo(r, to[0], to[1])}Q0,0 ${polar(from[0], r)}Z`;
}

/** A region's arc: a ring sector between the two radii. */
function groupPath({ start, end }) {
  return `M${polar(start, CHORD_OUTER)}${arcTo(CHORD_OUTER, start, end)}L${polar(end, CHORD_INNER)}${arcTo(CHORD_INNER, end, start, false)}Z`;
}

/** Draws the region-to-region matrix; ribbons take the recipient region's colour. */
function renderChord({ labels, matrix }) {
  const chord = $('chord');
  chord.replaceChildren();
  chord.setAttribute('viewBox', CHORD_VIEW_BOX);
  const layout = chordLayout(matrix);
  if (!layout) {
    svg('text', { class: 'empty', 'text-anchor': 'middle' }, chord).textContent = 'No flows in this period.';
    return;
  }
  const colour = (i) => REGION_COLOURS[i % REGION_COLOURS.length];
  const ribbons = svg('g', { class: 'ribbons' }, chord);
  for (const ribbon of layout.ribbons.sort((a, b) => b.value - a.value)) {
    const path = svg('path', { class: 'ribbon', d: ribbonPath(ribbon), fill: colour(ribbon.target) }, ribbons);
    setTitle(path, `${labels[ribbon.source]} → ${labels[ribbon.target]}: ${usdCompact.format(ribbon.value)} (US$ of 2025)`);
  }
  const groups = svg('g', { class: 'groups' }, chord);
  const placed = [];
  for (const group of layout.groups) {
    if (group.end - group.start <= 0) continue;
    const path = svg('path', { class: 'group', d: groupPath(group), fill: colour(group.index) }, groups);
    setTitle(path, `${labels[group.index]}: provided ${usdCompact.format(group.provided)}, received ${usdCompact.format(group.received)} (US$ of 2025)`);
    const middle = (group.start + group.end) / 2;
    const radius = CHORD_OUTER + 10;
    placed.push({ text: labels[group.index], x: radius * Math.sin(middle), y: -radius * Math.cos(middle) });
  }
  for (const label of spreadLabels(placed)) {
    const anchor = label.x >= 0 ? 'start' : 'end';
    const text = svg('text', { x: label.x.toFixed(1), y: label.y.toFixed(1), 'text-anchor': anchor, 'dominant-baseline': 'middle', class: 'label' }, groups);
    text.textContent = label.text;
  }
  fitToContent(chord);
}

/** Widens an SVG's view box to everything drawn in it, so that no label is ever cut. */
function fitToContent(element, margin = 8) {
  const box = element.getBBox();
  if (!box.width || !box.height) return;
  const [x, y, width, height] = element.getAttribute('viewBox').split(/[\s,]+/).map(Number);
  const left = Math.min(x, box.x - margin);
  const top = Math.min(y, box.y - margin);
  const right = Math.max(x + width, box.x + box.width + margin);
  const bottom = Math.max(y + height, box.y + box.height + margin);
  element.setAttribute('viewBox', `${left} ${top} ${right - left} ${bottom - top}`);
}

/**
 * Moves labels apart vertically so that neighbours on the same side do not overlap: those
 * above the centre move up, those below move down (away from the circle).
 */
function spreadLabels(labels, gap = 26) {
  for (const right of [true, false]) {
    const side = labels.filter((label) => (label.x >= 0) === right);
    const above = side.filter((label) => label.y < 0).sort((a, b) => b.y - a.y);
    const below = side.filter((label) => label.y >= 0).sort((a, b) => a.y - b.y);
    for (let i = 1; i < above.length; i++) above[i].y = Math.min(above[i].y, above[i - 1].y - gap);
    if (above.length && below.length) below[0].y = Math.max(below[0].y, above[0].y + gap);
    for (let i = 1; i < below.length; i++) below[i].y = Math.max(below[i].y, below[i - 1].y + gap);
  }
  return labels;
}

// ---------------------------------------------------------------------------------------
// The table of top recipients

const TABLE_ROWS = 25;

/**
 * The largest recipients, with their sums in real and in current dollars: "no amounts" where
 * none of a recipient's flows has one (current dollars: where none has a current amount, as
 * for Qatar's rows in constant dollars only).
 */
function renderTable(rows) {
  const body = $('recipients').tBodies[0];
  body.replaceChildren();
  for (const row of rows.slice(0, TABLE_ROWS)) {
    const tr = body.insertRow();
    const cells = [
      row.recipient ? row.recipient.name : 'No single recipient (regional or unallocated)',
      integer.format(row.count),
      row.countWithAmount > 0 ? integer.format(row.sumUsdReal) : NO_AMOUNTS,
      row.avgUsdCurrent != null ? integer.format(row.sumUsdCurrent) : NO_AMOUNTS,
    ];
    cells.forEach((text, i) => {
      const cell = tr.insertCell();
      cell.textContent = text;
      if (i > 0) cell.className = 'num';
    });
  }
  $('table-note').textContent = rows.length > TABLE_ROWS
    ? `The ${TABLE_ROWS} largest of ${rows.length} recipients; the CSV has every flow.`
    : rows.length ? `${rows.length} recipients.` : 'No flows for this selection.';
}

// ---------------------------------------------------------------------------------------
// Flows per year: the API's Vega-Lite chart, drawn by vega-embed (/explore/chart.js)

/** The chart's widest plot, and the room its axis titles and labels take beside it. */
const YEARS_WIDTH = 600;
const YEARS_MARGIN = 110;

/**
 * Draws the API's specification of the flows per year, fitted to the panel; the page lists
 * the sources and caveats itself, so the chart's footnote is left out.
 */
async function renderYears(spec) {
  const element = $('years');
  if (typeof window.southgraphChart !== 'function') {
    element.replaceChildren();
    $('years-note').textContent = 'This build has no chart library (it was built without npm).';
    return;
  }
  const view = spec.vconcat[0];
  delete view.title;
  view.width = Math.max(160, Math.min(YEARS_WIDTH, element.clientWidth - YEARS_MARGIN));
  view.height = 220;
  const drawn = await window.southgraphChart(element, spec);
  drawn.view.finalize();
}

// ---------------------------------------------------------------------------------------
// The controls, the CSV link, and the page's state

/**
 * The flows of one kind family, and of the South only (provider and recipient both of the
 * South) or not: the filter every figure of the page starts from.
 */
function scopeFilter(family, south) {
  const filter = { ...FAMILIES[family].filter };
  if (south) {
    filter.provider = { isSouth: true };
    filter.recipient = { isSouth: true };
  }
  return filter;
}

/** The family, provider, period and "South only" chosen, as API filters. */
function selection() {
  const family = $('family').value === 'trade' ? 'trade' : 'official';
  const south = $('south').checked;
  const provider = $('provider').value;
  const from = parseInt($('from').value, 10);
  const to = parseInt($('to').value, 10);
  // All providers, for the chord diagram; the map and the table are the chosen one's.
  const period = { ...scopeFilter(family, south), year: { gte: from, lte: to } };
  const filter = { ...period, provider: { ...period.provider, code: [provider] } };
  return { family, south, provider, from, to, period, filter };
}

/** The selection as the page's query string; the family and "South only" when not the default. */
function shareableQuery(chosen) {
  const params = new URLSearchParams({ provider: chosen.provider, from: chosen.from, to: chosen.to });
  if (chosen.family !== 'official') params.set('family', chosen.family);
  if (chosen.south) params.set('south', '1');
  return `?${params}`;
}

function setStatus(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

/** The status line: whose flows, of which family and period, how many, and how much. */
function statusLine(chosen, name, rows) {
  const flows = rows.reduce((sum, row) => sum + row.count, 0);
  const withAmount = rows.reduce((sum, row) => sum + row.countWithAmount, 0);
  const total = rows.reduce((sum, row) => sum + row.sumUsdReal, 0);
  const scope = `${name}, ${FAMILIES[chosen.family].name}${chosen.south ? ', South to South only' : ''}, ${chosen.from}–${chosen.to}`;
  const amount = withAmount > 0 ? `${usdCompact.format(total)} in US$ of 2025` : NO_AMOUNTS;
  const missing = withAmount > 0 && withAmount < flows ? ` (${integer.format(flows - withAmount)} of the flows without an amount)` : '';
  return `${scope}: ${integer.format(flows)} flows to ${rows.filter((row) => row.recipient).length} recipients, ${amount}${missing}.`;
}

/** Says in the headings which kind family the figures are. */
function renderFamily(family) {
  for (const span of document.querySelectorAll('.family-name')) span.textContent = FAMILIES[family].name;
  for (const span of document.querySelectorAll('.family-title')) span.textContent = FAMILIES[family].title;
}

/** Lists the caveats on the figures under them (code in `data-code`); hidden when there are none. */
function renderCaveats(caveats) {
  const list = $('caveats');
  list.replaceChildren(...caveats.map(({ code, message }) => {
    const item = document.createElement('li');
    item.dataset.code = code;
    item.textContent = message;
    return item;
  }));
  list.hidden = !caveats.length;
}

function fillSelect(select, options, chosen) {
  select.replaceChildren(...options.map(([value, label]) => new Option(label, value, false, String(value) === String(chosen))));
  select.disabled = !options.length;
}

/** Each family's providers, largest first, for "South only" as it was at their last load. */
let providerLists = { official: [], trade: [] };

/** Loads both families' provider lists, for "South only" as it is now. */
async function loadProviders() {
  const south = $('south').checked;
  const { data } = await graphql(PROVIDERS_QUERY, { official: scopeFilter('official', south), trade: scopeFilter('trade', south) });
  return { official: data.official.filter((row) => row.provider), trade: data.trade.filter((row) => row.provider) };
}

/**
 * Fills the provider list with the chosen family's providers, each with its sum ("no
 * amounts" when none of its flows has one) and count. Keeps the wanted provider if the
 * family has it, else China, else the largest.
 */
function fillProviders(wanted) {
  const providers = providerLists[$('family').value === 'trade' ? 'trade' : 'official'];
  const codes = providers.map((row) => row.provider.iso3);
  const provider = codes.includes(wanted) ? wanted : codes.includes('CHN') ? 'CHN' : codes[0];
  fillSelect($('provider'), providers.map((row) => [row.provider.iso3, `${row.provider.name} (${realSum(row)}, ${integer.format(row.count)} flows)`]), provider);
  for (const option of $('provider').options) {
    const { name, isoNumeric } = providers[option.index].provider;
    option.dataset.name = name;
    if (isoNumeric) option.dataset.isoNumeric = isoNumeric;
  }
}

let generation = 0;

/** Draws a selection that has no provider (a family with none of the South): empty figures. */
function renderNoProvider(chosen) {
  renderMap([], null);
  renderTable([]);
  renderChord({ labels: [], matrix: [] });
  renderCaveats([]);
  setStatus(`No provider of ${FAMILIES[chosen.family].name}${chosen.south ? ' of the South' : ''} in the data.`);
}

/** Loads and draws the chosen family, provider, period and scope; only the latest request is drawn. */
async function refresh() {
  const current = ++generation;
  const chosen = selection();
  document.body.dataset.state = 'loading';
  setStatus('Loading…');
  renderFamily(chosen.family);
  const link = $('csv');
  // The figures leave out flows that repeat another source's; so does the download.
  const filter = { ...chosen.filter, repeats: false };
  link.href = `/export/flows.csv?filter=${encodeURIComponent(JSON.stringify(filter))}`;
  link.download = `flows-${chosen.provider}-${chosen.family}${chosen.south ? '-south' : ''}-${chosen.from}-${chosen.to}.csv`;
  history.replaceState(null, '', shareableQuery(chosen));
  try {
    if (!chosen.provider) {
      renderNoProvider(chosen);
    } else {
      const variables = { filter: chosen.filter, period: chosen.period, from: chosen.from, to: chosen.to };
      const { data, extensions } = await graphql(SELECTION_QUERY, variables);
      if (current !== generation) return;
      await renderYears(data.perYear.vegaLite);
      if (current !== generation) return;
      const rows = data.recipients;
      const option = $('provider').selectedOptions[0];
      renderMap(rows, option.dataset.isoNumeric ? parseInt(option.dataset.isoNumeric, 10) : null);
      renderTable(rows);
      renderChord(data.regions);
      renderCaveats(caveatsOf(extensions));
      setStatus(statusLine(chosen, option.dataset.name, rows));
    }
    document.body.dataset.provider = chosen.provider;
    document.body.dataset.family = chosen.family;
    document.body.dataset.south = chosen.south ? '1' : '0';
    document.body.dataset.state = 'ready';
  } catch (error) {
    if (current !== generation) return;
    fail(error);
  }
}

let providerLoads = 0;

/**
 * "South only" changes which providers each family has: reloads the lists, then redraws.
 * A drawing under way is dropped; only the latest load fills the list.
 */
async function changeSouth() {
  const current = ++providerLoads;
  generation++;
  document.body.dataset.state = 'loading';
  setStatus('Loading…');
  try {
    const lists = await loadProviders();
    if (current !== providerLoads) return;
    providerLists = lists;
    fillProviders($('provider').value);
    await refresh();
  } catch (error) {
    if (current !== providerLoads) return;
    fail(error);
  }
}

function fail(error) {
  document.body.dataset.state = 'error';
  renderCaveats([]);
  setStatus(`Could not load the data: ${error.message}`, true);
  console.error('explorer:', error);
}

function renderSources(sources) {
  const list = $('sources');
  list.replaceChildren(...sources.map((source) => {
    const item = document.createElement('li');
    const title = document.createElement('strong');
    title.textContent = source.title;
    item.append(title, ` (${source.licence}). Cite: ${source.citation}`);
    return item;
  }));
}

async function start() {
  const asked = new URLSearchParams(location.search);
  $('family').value = asked.get('family') === 'trade' ? 'trade' : 'official';
  $('south').checked = asked.get('south') === '1';
  const [topology, overview, providers] = await Promise.all([
    fetch(`/explore/countries-110m.json?v=${ASSET_VERSION}`).then((response) => {
      if (!response.ok) throw new Error(`country shapes: ${response.status}`);
      return response.json();
    }),
    graphql(OVERVIEW_QUERY).then(({ data }) => data),
    loadProviders(),
  ]);
  drawWorld(topology);
  renderSources(overview.sources.nodes);

  providerLists = providers;
  if (!providers.official.length && !providers.trade.length) throw new Error('no flows with a provider');
  const years = overview.years.map((row) => row.year).filter((year) => year != null).sort((a, b) => a - b);
  const first = years[0];
  const last = years[years.length - 1];
  const clamp = (value, fallback) => (Number.isInteger(value) && value >= first && value <= last ? value : fallback);
  const from = clamp(parseInt(asked.get('from'), 10), first);
  const to = Math.max(from, clamp(parseInt(asked.get('to'), 10), last));

  fillProviders(asked.get('provider'));
  const yearOptions = [];
  for (let year = first; year <= last; year++) yearOptions.push([year, String(year)]);
  fillSelect($('from'), yearOptions, from);
  fillSelect($('to'), yearOptions, to);
  $('family').disabled = false;
  $('south').disabled = false;

  $('family').addEventListener('change', () => {
    fillProviders($('provider').value);
    refresh();
  });
  $('south').addEventListener('change', changeSouth);
  $('provider').addEventListener('change', refresh);
  $('from').addEventListener('change', () => {
    if (+$('from').value > +$('to').value) $('to').value = $('from').value;
    refresh();
  });
  $('to').addEventListener('change', () => {
    if (+$('to').value < +$('from').value) $('from').value = $('to').value;
    refresh();
  });
  await refresh();
}

start().catch(fail);
