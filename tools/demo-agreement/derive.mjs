// derive.mjs — derives truce's demo agreement: a ceasefire frozen along the
// line of contact of 22 August 2026.
//
//   node derive.mjs DEEPSTATE_OCCUPIED.geojson > demo-2026-08-22.json
//
// Inputs: DeepStateMap's occupied territory (one MultiPolygon) and Natural
// Earth 1:10m country borders from the npm package world-atlas. Output: the
// agreement JSON on stdout; sanity checks on stderr. Exit status 1 if a check
// fails. The output is deterministic: the same inputs give the same bytes.
//
// Why the steps are what they are:
//   - Occupied territory is cut to Natural Earth's Ukraine so that both
//     parties' areas share one coastline and one state border; DeepStateMap
//     draws its own coast and border, and the mismatch would otherwise leave
//     slivers of "Ukrainian-held" land along occupied coasts and the border.
//     Slivers that remain (small UKR pieces mostly bounded by RUS) are handed
//     to RUS; real islands (bounded by sea) stay UKR.
//   - Both areas go into one topology (topojson-server), so a boundary the
//     two areas share is one arc. Each arc is simplified once (Douglas–
//     Peucker) and reused by both areas: the simplified areas cannot overlap
//     or leave a gap along the line of contact. Arcs that cross after
//     simplification are simplified again with a smaller tolerance.
//   - The shared arcs are the boundary between the areas; the part of it on
//     the Russia–Ukraine state border is the line "border", the rest is the
//     line of contact.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import polygonClipping from 'polygon-clipping';
import * as topojsonClient from 'topojson-client';
import * as topojsonServer from 'topojson-server';

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------- parameters

const AGREEMENT_ID = 'demo-2026-08-22';
const NATURAL_EARTH = 'world-atlas/countries-10m.json';
// Russia is clipped to this window (lon/lat degrees): it keeps the area away
// from the antimeridian and small, and still holds everything near Ukraine.
const RUSSIA_WINDOW = { west: 20, south: 40, east: 60, north: 62 };
// Douglas–Peucker tolerances in km: LINE for the boundary between the two
// areas (the line of contact and the border stretch: zone distances are
// measured from it), THEATRE for other boundaries inside THEATRE (coasts,
// borders with third countries: attribution near them matters less), FAR for
// the rest of the clipped Russia.
const TOLERANCE_LINE_KM = 0.5;
const TOLERANCE_THEATRE_KM = 1;
const TOLERANCE_FAR_KM = 10;
const THEATRE = { west: 21.5, south: 43.5, east: 41.5, north: 53 };
// A UKR piece other than the main body is a sliver (handed to RUS) when it
// touches RUS (at least this share of its perimeter) and is smaller than
// SLIVER_MAX_KM2. Such a piece is cut off from Ukrainian-held land by
// occupied land: in this data every one is a mismatch between DeepStateMap's
// and Natural Earth's coasts and borders (Kinburn and Tendra spits,
// Dzharylhach island, the Donbas border). A sea island touches nothing.
const SLIVER_SHARED_RATIO = 0.01;
const SLIVER_MAX_KM2 = 500;
// Two boundaries are "the same" within this distance (km): the inputs share
// vertices exactly, so this only absorbs floating-point noise.
const ON_LINE_KM = 0.01;
const DECIMALS = 5;
// Rings smaller than this (km²) are dropped before simplification: at the
// shipped precision they are noise, and most are zero-area leftovers of the
// boolean operations.
const MIN_RING_KM2 = 0.01;

// ---------------------------------------------------------------- geometry

const R_KM = 6371.0088;
const RAD = Math.PI / 180;
// A local equirectangular projection centred on Ukraine, for lengths and
// tolerances in km; good to a few per cent over the theatre, which is all a
// simplification tolerance needs.
const KX = R_KM * RAD * Math.cos(48.5 * RAD);
const KY = R_KM * RAD;
const project = ([lon, lat]) => [lon * KX, lat * KY];

function haversineKm([lon1, lat1], [lon2, lat2]) {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * R_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

function lineLengthKm(line) {
  let s = 0;
  for (let i = 1; i < line.length; i++) s += haversineKm(line[i - 1], line[i]);
  return s;
}

// Signed planar area in degrees², positive for counter-clockwise rings.
function ringSignedArea(ring) {
  let a = 0;
  for (let i = 0, n = ring.length - 1; i < n; i++) {
    a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  }
  return a / 2;
}

// Area on the sphere in km² (the same approximation d3-geo and turf use).
function ringAreaKm2(ring) {
  let a = 0;
  for (let i = 0, n = ring.length - 1; i < n; i++) {
    const [x1, y1] = ring[i];
    const [x2, y2] = ring[i + 1];
    a += (x2 - x1) * RAD * (2 + Math.sin(y1 * RAD) + Math.sin(y2 * RAD));
  }
  return Math.abs((a * R_KM * R_KM) / 2);
}

const polygonAreaKm2 = (poly) => ringAreaKm2(poly[0]) - poly.slice(1).reduce((s, h) => s + ringAreaKm2(h), 0);
const multiPolygonAreaKm2 = (mp) => mp.reduce((s, p) => s + polygonAreaKm2(p), 0);

function pointInRing([x, y], ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const pointInMultiPolygon = (p, mp) =>
  mp.some((poly) => pointInRing(p, poly[0]) && !poly.slice(1).some((h) => pointInRing(p, h)));

// Distance in km from projected point p to projected segment ab.
function pointSegmentKm(p, a, b) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  let t = len2 === 0 ? 0 : ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2;
  t = Math.max(0, Math.min(1, t));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

// A uniform grid over projected segments, for "is this point on that
// boundary" and "do these segments cross" without quadratic scans.
class SegmentGrid {
  constructor(cellKm) {
    this.cell = cellKm;
    this.cells = new Map();
    this.segments = [];
  }
  key(i, j) {
    return i * 100003 + j;
  }
  insert(a, b, tag) {
    const id = this.segments.length;
    this.segments.push({ a, b, tag });
    const [i0, i1] = [Math.floor(Math.min(a[0], b[0]) / this.cell), Math.floor(Math.max(a[0], b[0]) / this.cell)];
    const [j0, j1] = [Math.floor(Math.min(a[1], b[1]) / this.cell), Math.floor(Math.max(a[1], b[1]) / this.cell)];
    for (let i = i0; i <= i1; i++) {
      for (let j = j0; j <= j1; j++) {
        const k = this.key(i, j);
        let list = this.cells.get(k);
        if (!list) this.cells.set(k, (list = []));
        list.push(id);
      }
    }
  }
  // Ids of segments whose cells meet the box, ascending, without repeats.
  query(minX, minY, maxX, maxY) {
    const out = new Set();
    for (let i = Math.floor(minX / this.cell); i <= Math.floor(maxX / this.cell); i++) {
      for (let j = Math.floor(minY / this.cell); j <= Math.floor(maxY / this.cell); j++) {
        const list = this.cells.get(this.key(i, j));
        if (list) for (const id of list) out.add(id);
      }
    }
    return [...out].sort((x, y) => x - y);
  }
  distanceKm(p, radius) {
    let best = Infinity;
    for (const id of this.query(p[0] - radius, p[1] - radius, p[0] + radius, p[1] + radius)) {
      const s = this.segments[id];
      best = Math.min(best, pointSegmentKm(p, s.a, s.b));
    }
    return best;
  }
}

function boundaryGrid(multiPolygon) {
  const grid = new SegmentGrid(10);
  for (const poly of multiPolygon) {
    for (const ring of poly) {
      for (let i = 1; i < ring.length; i++) grid.insert(project(ring[i - 1]), project(ring[i]));
    }
  }
  return grid;
}

// Share of the ring's perimeter lying on the boundary in grid.
function sharedRatio(ring, grid) {
  let shared = 0;
  let total = 0;
  for (let i = 1; i < ring.length; i++) {
    const a = project(ring[i - 1]);
    const b = project(ring[i]);
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    total += len;
    const mid = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    if (grid.distanceKm(mid, ON_LINE_KM) <= ON_LINE_KM) shared += len;
  }
  return total === 0 ? 0 : shared / total;
}

// Orientation of c relative to ab: >0 left, <0 right, 0 collinear.
const orient = (a, b, c) => (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
const samePoint = (p, q) => p[0] === q[0] && p[1] === q[1];
const onSegment = (a, b, p) =>
  Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);

// Whether segments ab and cd meet anywhere other than at a shared endpoint.
function segmentsConflict(a, b, c, d) {
  const shared = [a, b].filter((p) => samePoint(p, c) || samePoint(p, d)).length;
  if (shared === 2) return true; // the same segment twice
  const o1 = orient(a, b, c);
  const o2 = orient(a, b, d);
  const o3 = orient(c, d, a);
  const o4 = orient(c, d, b);
  if (shared === 1) {
    // Touching at the common vertex is fine unless they also overlap.
    if (o1 === 0 && o2 === 0) {
      const p = samePoint(a, c) || samePoint(a, d) ? a : b;
      const other1 = samePoint(p, a) ? b : a;
      const other2 = samePoint(p, c) ? d : c;
      return (other1[0] - p[0]) * (other2[0] - p[0]) + (other1[1] - p[1]) * (other2[1] - p[1]) > 0;
    }
    return false;
  }
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return true;
  if (o1 === 0 && onSegment(a, b, c)) return true;
  if (o2 === 0 && onSegment(a, b, d)) return true;
  if (o3 === 0 && onSegment(c, d, a)) return true;
  if (o4 === 0 && onSegment(c, d, b)) return true;
  return false;
}

const inBox = ([lon, lat], box) => lon >= box.west && lon <= box.east && lat >= box.south && lat <= box.north;

// Douglas–Peucker over coords[first..last], keeping indices into keep.
function douglasPeucker(coords, first, last, tolerance, keep) {
  const stack = [[first, last]];
  while (stack.length) {
    const [i, j] = stack.pop();
    if (j <= i + 1) continue;
    const a = project(coords[i]);
    const b = project(coords[j]);
    let worst = -1;
    let worstExcess = 0;
    for (let k = i + 1; k < j; k++) {
      const excess = pointSegmentKm(project(coords[k]), a, b) - tolerance(k);
      if (excess > worstExcess) {
        worstExcess = excess;
        worst = k;
      }
    }
    if (worst >= 0) {
      keep.add(worst);
      stack.push([i, worst], [worst, j]);
    }
  }
}

// Simplifies one arc, keeping its ends and the fixed indices; returns the
// kept indices in order. A closed arc (a whole ring) keeps a triangle at
// least.
function simplifyArc(coords, tolerance, fixed) {
  const last = coords.length - 1;
  const keep = new Set([0, last, ...fixed]);
  if (samePoint(coords[0], coords[last]) && last >= 3) {
    const p0 = project(coords[0]);
    let far = 1;
    for (let k = 1; k < last; k++) {
      const pk = project(coords[k]);
      if (Math.hypot(pk[0] - p0[0], pk[1] - p0[1]) > Math.hypot(...project(coords[far]).map((v, n) => v - p0[n]))) far = k;
    }
    keep.add(far);
    const pf = project(coords[far]);
    let third = -1;
    let thirdDist = -1;
    for (let k = 1; k < last; k++) {
      if (k === far) continue;
      const d = pointSegmentKm(project(coords[k]), p0, pf);
      if (d > thirdDist) {
        thirdDist = d;
        third = k;
      }
    }
    if (third >= 0) keep.add(third);
  }
  // Every arc keeps its interior vertex farthest from its chord, so that two
  // arcs between the same two junctions (a small ring) cannot both collapse
  // onto the chord.
  if (last >= 2 && !samePoint(coords[0], coords[last])) {
    const a = project(coords[0]);
    const b = project(coords[last]);
    let far = 1;
    for (let k = 2; k < last; k++) {
      if (pointSegmentKm(project(coords[k]), a, b) > pointSegmentKm(project(coords[far]), a, b)) far = k;
    }
    keep.add(far);
  }
  const anchors = [...keep].sort((x, y) => x - y);
  for (let n = 1; n < anchors.length; n++) douglasPeucker(coords, anchors[n - 1], anchors[n], tolerance, keep);
  return [...keep].sort((x, y) => x - y);
}

// Removes repeated vertices and spikes (A, B, A), the closing vertex
// included: the topology would keep a spike as an arc of zero width.
function cleanRing(ring) {
  let r = ring.slice(0, -1);
  for (let changed = true; changed && r.length >= 3; ) {
    changed = false;
    const out = [];
    for (const p of r) {
      if (out.length && samePoint(out[out.length - 1], p)) continue;
      out.push(p);
    }
    while (out.length > 1 && samePoint(out[0], out[out.length - 1])) out.pop();
    for (let i = 0; i < out.length && out.length >= 3; i++) {
      const prev = out[(i - 1 + out.length) % out.length];
      const next = out[(i + 1) % out.length];
      if (samePoint(prev, next)) {
        out.splice(i, 1);
        changed = true;
        break;
      }
    }
    r = out;
  }
  return r.length >= 3 ? [...r, r[0]] : null;
}

// Cleans every ring and drops rings smaller than minKm2 (degenerate slivers
// that polygon-clipping leaves behind at vertices it cut through).
function cleanMultiPolygon(mp, minKm2) {
  const out = [];
  for (const [outer, ...holes] of mp) {
    const o = cleanRing(outer);
    if (!o || ringAreaKm2(o) < minKm2) continue;
    out.push([o, ...holes.map(cleanRing).filter((h) => h && ringAreaKm2(h) >= minKm2)]);
  }
  return out;
}

// Drops kept vertices that rounding makes repeat their predecessor or turn
// into a spike (A, B, A with A rounded from two nearby points); an arc's
// ends always stay.
function roundedIndices(arc, idx) {
  let out = idx.slice();
  for (let changed = true; changed; ) {
    changed = false;
    const next = [];
    for (const k of out) {
      if (next.length && samePoint(roundPoint(arc[next[next.length - 1]]), roundPoint(arc[k]))) {
        if (k === out[out.length - 1]) next[next.length - 1] = k; // keep the arc's end
        changed = changed || next.length > 1 || k !== out[out.length - 1];
        continue;
      }
      next.push(k);
    }
    for (let n = 1; n + 1 < next.length; n++) {
      if (samePoint(roundPoint(arc[next[n - 1]]), roundPoint(arc[next[n + 1]]))) {
        next.splice(n, 1);
        changed = true;
        break;
      }
    }
    out = next;
  }
  return out;
}

const round = (v) => Number(v.toFixed(DECIMALS)) + 0; // + 0 turns -0 into 0
const roundPoint = ([x, y]) => [round(x), round(y)];

// ---------------------------------------------------------------- inputs

function asMultiPolygon(geometry) {
  if (geometry.type === 'Polygon') return [geometry.coordinates];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates;
  throw new Error(`expected a Polygon or MultiPolygon, got ${geometry.type}`);
}

function readOccupied(path) {
  const doc = JSON.parse(fs.readFileSync(path, 'utf8'));
  const geometries =
    doc.type === 'FeatureCollection' ? doc.features.map((f) => f.geometry) : doc.type === 'Feature' ? [doc.geometry] : [doc];
  return geometries.flatMap(asMultiPolygon);
}

function readCountries() {
  const topology = JSON.parse(fs.readFileSync(require.resolve(NATURAL_EARTH), 'utf8'));
  const countries = topojsonClient.feature(topology, topology.objects.countries);
  const country = (name) => {
    const f = countries.features.find((c) => c.properties.name === name);
    if (!f) throw new Error(`${NATURAL_EARTH} has no country named ${name}`);
    return asMultiPolygon(f.geometry);
  };
  return { ukraine: country('Ukraine'), russia: country('Russia') };
}

// ---------------------------------------------------------------- derivation

const log = (...args) => console.error(...args);
const failures = [];
function check(ok, message) {
  log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
  if (!ok) failures.push(message);
}

function controlledAreas(occupied, ukraine, russia) {
  const { west, south, east, north } = RUSSIA_WINDOW;
  const window = [[[west, south], [east, south], [east, north], [west, north], [west, south]]];
  const russiaWindow = polygonClipping.intersection(russia, window);
  const occupiedInUkraine = polygonClipping.intersection(occupied, ukraine);
  const rus0 = polygonClipping.union(russiaWindow, occupiedInUkraine);
  const ukr0 = polygonClipping.difference(ukraine, rus0);

  const grid = boundaryGrid(rus0);
  const pieces = ukr0.map((poly) => ({ poly, area: polygonAreaKm2(poly) }));
  const main = pieces.reduce((m, p) => (p.area > m.area ? p : m), pieces[0]);
  const slivers = [];
  let islands = 0;
  for (const p of pieces) {
    if (p === main) continue;
    const ratio = sharedRatio(p.poly[0], grid);
    if (ratio >= SLIVER_SHARED_RATIO && p.area < SLIVER_MAX_KM2) slivers.push(p);
    else islands++;
  }
  const sliverKm2 = slivers.reduce((s, p) => s + p.area, 0);
  log(
    `UKR before sliver removal: ${pieces.length} pieces; main body ${main.area.toFixed(0)} km²; ` +
      `${slivers.length} slivers (${sliverKm2.toFixed(1)} km², largest ${Math.max(0, ...slivers.map((p) => p.area)).toFixed(1)} km²) handed to RUS; ${islands} islands kept`,
  );
  // RUS first, then UKR as what is left of Ukraine, so that dropping a
  // tiny ring can leave a gap but never an overlap.
  const rus = cleanMultiPolygon(slivers.length ? polygonClipping.union(rus0, slivers.map((p) => p.poly)) : rus0, MIN_RING_KM2);
  const ukr = cleanMultiPolygon(polygonClipping.difference(ukraine, rus), MIN_RING_KM2);
  return { ukr, rus, russiaWindow };
}

// Builds the shared topology, classifies and simplifies its arcs, and
// returns the simplified areas and lines.
function simplifyShared(ukr, rus, russia) {
  const topology = topojsonServer.topology({
    areas: {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { party: 'UKR' }, geometry: { type: 'MultiPolygon', coordinates: ukr } },
        { type: 'Feature', properties: { party: 'RUS' }, geometry: { type: 'MultiPolygon', coordinates: rus } },
      ],
    },
  });
  const arcs = topology.arcs;
  const geometries = topology.objects.areas.geometries;
  const users = arcs.map(() => new Set());
  const visit = (x, party) => (Array.isArray(x) ? x.forEach((y) => visit(y, party)) : users[x < 0 ? ~x : x].add(party));
  for (const g of geometries) visit(g.arcs, g.properties.party);

  // Every UKR arc on RUS's boundary must be shared; a miss would mean the
  // topology failed to join the two areas there and they could drift apart.
  const rusGrid = boundaryGrid(rus);
  let unjoinedKm = 0;
  arcs.forEach((arc, i) => {
    if (users[i].size !== 1 || !users[i].has('UKR')) return;
    for (let k = 1; k < arc.length; k++) {
      const a = project(arc[k - 1]);
      const b = project(arc[k]);
      if (rusGrid.distanceKm([(a[0] + b[0]) / 2, (a[1] + b[1]) / 2], ON_LINE_KM) <= ON_LINE_KM) {
        unjoinedKm += Math.hypot(b[0] - a[0], b[1] - a[1]);
      }
    }
  });
  check(unjoinedKm < 0.1, `UKR boundary on RUS boundary but not shared in the topology: ${unjoinedKm.toFixed(3)} km`);

  // On shared arcs, a segment is "border" when it lies on Natural Earth's
  // Russian boundary, "contact" otherwise; class changes are fixed vertices.
  const russiaGrid = boundaryGrid(russia);
  const segmentClass = arcs.map((arc, i) => {
    if (users[i].size !== 2) return null;
    const classes = [];
    for (let k = 1; k < arc.length; k++) {
      const a = project(arc[k - 1]);
      const b = project(arc[k]);
      const onBorder = [a, b, [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2]].every(
        (p) => russiaGrid.distanceKm(p, ON_LINE_KM) <= ON_LINE_KM,
      );
      classes.push(onBorder ? 'border' : 'contact');
    }
    return classes;
  });
  const fixed = segmentClass.map((classes) => {
    const f = [];
    if (classes) for (let k = 1; k < classes.length; k++) if (classes[k] !== classes[k - 1]) f.push(k);
    return f;
  });

  // Simplify; where simplified arcs cross or a ring degenerates, simplify
  // those arcs again at half the tolerance, until nothing is left to fix.
  // Simplify; where simplified segments cross or a ring degenerates, halve
  // the tolerance over the original vertices those segments stand for, and
  // simplify again, until nothing is left to fix.
  const scale = arcs.map((arc) => new Float64Array(arc.length).fill(1));
  let kept;
  let simplified;
  for (let round_ = 0; ; round_++) {
    kept = arcs.map((arc, i) => {
      const tolerance =
        users[i].size === 2
          ? (k) => scale[i][k] * TOLERANCE_LINE_KM
          : (k) => scale[i][k] * (inBox(arc[k], THEATRE) ? TOLERANCE_THEATRE_KM : TOLERANCE_FAR_KM);
      return roundedIndices(arc, simplifyArc(arc, tolerance, fixed[i]));
    });
    simplified = kept.map((idx, i) => idx.map((k) => roundPoint(arcs[i][k])));
    const bad = conflicts(simplified, geometries);
    if (!bad.length) {
      if (round_) log(`simplification: ${round_} refinement round(s)`);
      break;
    }
    let progress = false;
    for (const { arc, seg } of bad) {
      const from = seg < 0 ? 0 : kept[arc][seg];
      const to = seg < 0 ? arcs[arc].length - 1 : kept[arc][seg + 1];
      for (let k = from + 1; k < to; k++) scale[arc][k] /= 2;
      if (to > from + 1 && scale[arc][from + 1] > 1e-6) progress = true;
    }
    if (!progress || round_ >= 60) {
      throw new Error(`cannot simplify without crossings: ${JSON.stringify(bad.map(({ arc, seg }) => simplified[arc].slice(Math.max(seg, 0), seg + 2)))}`);
    }
  }
  let refined = 0;
  let smallest = 1;
  for (const s of scale) {
    for (const v of s) {
      if (v < 1) refined++;
      smallest = Math.min(smallest, v);
    }
  }
  if (refined) log(`simplification: tolerance reduced at ${refined} original vertices to avoid crossings (down to ×${smallest})`);

  const simplifiedTopology = { ...topology, arcs: simplified };
  const areas = {};
  for (const g of geometries) {
    areas[g.properties.party] = normalise(asMultiPolygon(topojsonClient.feature(simplifiedTopology, g).geometry));
  }

  // Lines: pieces of shared arcs by class, chained into polylines.
  const pieces = { contact: [], border: [] };
  kept.forEach((idx, i) => {
    if (!segmentClass[i]) return;
    let current = null;
    for (let n = 1; n < idx.length; n++) {
      const cls = segmentClass[i][idx[n - 1]];
      const a = roundPoint(arcs[i][idx[n - 1]]);
      const b = roundPoint(arcs[i][idx[n]]);
      if (samePoint(a, b)) continue;
      if (!current || current.cls !== cls) {
        current = { cls, coords: [a] };
        pieces[cls].push(current);
      }
      current.coords.push(b);
    }
  });
  const lines = {};
  for (const cls of ['contact', 'border']) {
    lines[cls] = chain(pieces[cls].map((p) => orientUkrLeft(p.coords, areas.UKR)));
  }
  return { areas, lines };
}

// Simplified segments ({arc, seg}) that cross or touch another, and whole
// arcs ({arc, seg: -1}) of rings left with fewer than three distinct points
// or no area.
function conflicts(simplified, geometries) {
  const bad = [];
  const grid = new SegmentGrid(20);
  simplified.forEach((arc, i) => {
    for (let k = 1; k < arc.length; k++) grid.insert(project(arc[k - 1]), project(arc[k]), { arc: i, seg: k - 1, n: arc.length - 1 });
  });
  grid.segments.forEach((s, id) => {
    const minX = Math.min(s.a[0], s.b[0]);
    const maxX = Math.max(s.a[0], s.b[0]);
    const minY = Math.min(s.a[1], s.b[1]);
    const maxY = Math.max(s.a[1], s.b[1]);
    for (const other of grid.query(minX, minY, maxX, maxY)) {
      if (other <= id) continue;
      const t = grid.segments[other];
      const sameArc = s.tag.arc === t.tag.arc;
      const gap = Math.abs(s.tag.seg - t.tag.seg);
      const closedArc = sameArc && samePoint(simplified[s.tag.arc][0], simplified[s.tag.arc][s.tag.n]);
      const adjacent = sameArc && (gap === 1 || (closedArc && gap === s.tag.n - 1));
      // Segments of one arc meet only through adjacency; anything else they
      // share is a pinch or a crossing. Different arcs meet only at ends.
      const conflict = segmentsConflict(s.a, s.b, t.a, t.b) || (sameArc && !adjacent && sharesEndpoint(s, t));
      if (conflict) {
        bad.push({ arc: s.tag.arc, seg: s.tag.seg }, { arc: t.tag.arc, seg: t.tag.seg });
      }
    }
  });
  for (const g of geometries) {
    const polys = g.type === 'Polygon' ? [g.arcs] : g.arcs;
    for (const poly of polys) {
      for (const ringArcs of poly) {
        const ring = [];
        for (const a of ringArcs) {
          const arc = a < 0 ? [...simplified[~a]].reverse() : simplified[a];
          ring.push(...(ring.length ? arc.slice(1) : arc));
        }
        const distinct = new Set(ring.map((p) => p.join(','))).size;
        if (distinct < 3 || ringSignedArea(ring) === 0) ringArcs.forEach((a) => bad.push({ arc: a < 0 ? ~a : a, seg: -1 }));
      }
    }
  }
  return bad;
}

const sharesEndpoint = (s, t) => [s.a, s.b].some((p) => samePoint(p, t.a) || samePoint(p, t.b));

// RFC 7946 winding (outer rings counter-clockwise, holes clockwise), no
// consecutive repeats, polygons in a stable order.
function normalise(multiPolygon) {
  const out = [];
  for (const poly of multiPolygon) {
    const rings = poly.map((ring, n) => {
      const r = ring.filter((p, k) => k === 0 || !samePoint(p, ring[k - 1]));
      const ccw = ringSignedArea(r) > 0;
      return (n === 0) === ccw ? r : [...r].reverse();
    });
    out.push(rings);
  }
  return out;
}

// Orients a line so that UKR-controlled land is on its left.
function orientUkrLeft(coords, ukr) {
  const [a, b] = [coords[0], coords[1]];
  const mid = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
  const eps = Math.min(1e-4, len / 10);
  const left = [mid[0] - ((b[1] - a[1]) / len) * eps, mid[1] + ((b[0] - a[0]) / len) * eps];
  return pointInMultiPolygon(left, ukr) ? coords : [...coords].reverse();
}

// Joins polylines end to start (all run with UKR on the left) into the
// longest chains; a chain that closes on itself stays closed.
function chain(polylines) {
  const remaining = polylines.map((p) => p.slice());
  const byStart = new Map();
  remaining.forEach((p, i) => {
    const k = p[0].join(',');
    if (!byStart.has(k)) byStart.set(k, []);
    byStart.get(k).push(i);
  });
  const used = new Set();
  const takeFrom = (point) => {
    const list = byStart.get(point.join(',')) || [];
    const i = list.find((j) => !used.has(j));
    if (i === undefined) return null;
    used.add(i);
    return remaining[i];
  };
  const byEnd = new Map();
  remaining.forEach((p, i) => {
    const k = p[p.length - 1].join(',');
    if (!byEnd.has(k)) byEnd.set(k, []);
    byEnd.get(k).push(i);
  });
  const out = [];
  for (let i = 0; i < remaining.length; i++) {
    if (used.has(i)) continue;
    used.add(i);
    let line = remaining[i];
    // Walk back to the start of the chain, then forward to its end.
    for (;;) {
      const list = byEnd.get(line[0].join(',')) || [];
      const j = list.find((n) => !used.has(n));
      if (j === undefined) break;
      used.add(j);
      line = remaining[j].concat(line.slice(1));
    }
    for (;;) {
      const next = takeFrom(line[line.length - 1]);
      if (!next) break;
      line = line.concat(next.slice(1));
    }
    out.push(line);
  }
  // Longest first, so the main front opens the list.
  return out.sort((a, b) => lineLengthKm(b) - lineLengthKm(a) || a[0][0] - b[0][0] || a[0][1] - b[0][1]);
}

// ---------------------------------------------------------------- agreement

function geometryOf(multiPolygon) {
  return multiPolygon.length === 1
    ? { type: 'Polygon', coordinates: multiPolygon[0] }
    : { type: 'MultiPolygon', coordinates: multiPolygon };
}

function agreement(areas, lines) {
  return {
    id: AGREEMENT_ID,
    version: 1,
    title: 'Demo ceasefire frozen along the line of contact of 22 August 2026',
    effective_from: '2026-09-01T00:00:00Z',
    sources: [
      {
        name: 'DeepStateMap occupied territory of Ukraine, 22 August 2026 (via github.com/cyterat/deepstate-map-data)',
        licence: 'repository GPL-3.0; DeepStateMap terms not stated',
        note: 'Occupied territory, Crimea and areas occupied before 2022 included; cut to Natural Earth Ukraine, simplified. A derivative for demonstration, not an authoritative line.',
      },
      {
        name: 'Natural Earth 1:10m Admin 0 countries 4.1.0 (npm world-atlas 2.0.2, countries-10m.json)',
        licence: 'public domain (Natural Earth); world-atlas packaging ISC',
        note: `Ukraine and Russia; Russia clipped to lon ${RUSSIA_WINDOW.west}–${RUSSIA_WINDOW.east}°E, lat ${RUSSIA_WINDOW.south}–${RUSSIA_WINDOW.north}°N; simplified.`,
      },
      {
        name: 'Package of Measures for the Implementation of the Minsk Agreements (12 February 2015), point 2, and its 2015 addendum on weapons under 100 mm',
        licence: 'public document',
        note: 'Withdrawal distances of the zones.',
      },
    ],
    parties: [
      { code: 'UKR', name: 'Ukraine' },
      { code: 'RUS', name: 'Russian Federation' },
    ],
    controlled_areas: [
      { party: 'UKR', geometry: geometryOf(areas.UKR) },
      { party: 'RUS', geometry: geometryOf(areas.RUS) },
    ],
    lines: [
      {
        id: 'contact',
        name: 'Line of contact as of 22 Aug 2026',
        geometry: { type: 'MultiLineString', coordinates: lines.contact },
      },
      {
        id: 'border',
        name: 'Russia–Ukraine state border between UKR- and RUS-controlled land',
        geometry: { type: 'MultiLineString', coordinates: lines.border },
      },
    ],
    zones: [
      {
        id: 'heavy-artillery',
        kind: 'withdrawal',
        line: 'contact',
        distance_m: 25000,
        weapons: [{ class: 'artillery', min_caliber_mm: 100 }],
        note: 'Minsk II point 2: artillery of 100 mm calibre and above withdrawn to create a security zone at least 50 km wide; 25 km on each side of the line.',
      },
      {
        id: 'mlrs',
        kind: 'withdrawal',
        line: 'contact',
        distance_m: 35000,
        weapons: [{ class: 'mlrs' }],
        note: 'Minsk II point 2: multiple launch rocket systems withdrawn to create a security zone 70 km wide; 35 km on each side of the line.',
      },
      {
        id: 'heavy-mlrs-tochka',
        kind: 'withdrawal',
        line: 'contact',
        distance_m: 70000,
        weapons: [
          { class: 'mlrs', systems: ['Tornado-S', 'Uragan', 'Smerch', 'BM-27', 'BM-30', '9K515'] },
          { class: 'missile', systems: ['Tochka', 'Tochka-U', '9K79'] },
        ],
        note: 'Minsk II point 2: MLRS Tornado-S, Uragan, Smerch and tactical missile systems Tochka (Tochka-U) withdrawn to create a security zone 140 km wide; 70 km on each side of the line.',
      },
      {
        id: 'light-weapons',
        kind: 'withdrawal',
        line: 'contact',
        distance_m: 15000,
        weapons: [
          { class: 'tank' },
          { class: 'artillery', max_caliber_mm: 100 },
          { class: 'mortar', max_caliber_mm: 120 },
        ],
        note: 'Addendum of 2015 to the Minsk agreements: tanks, artillery under 100 mm calibre and mortars up to 120 mm withdrawn 15 km from the line of contact on each side.',
      },
    ],
    // How far weapons fire, first match answers (agreement/FORMAT.md,
    // weapon_reach): public figures for standard rounds.
    weapon_reach: [
      { class: 'mlrs', systems: ['Grad', 'BM-21', 'RM-70'], max_range_m: 20400, note: '122 mm 9M22 rockets: 20.4 km' },
      { class: 'mlrs', systems: ['Uragan', 'BM-27', 'Bureviy'], max_range_m: 35800, note: '220 mm: 35.8 km' },
      { class: 'mlrs', systems: ['Smerch', 'BM-30'], max_range_m: 70000, note: '300 mm: 70 km' },
      { class: 'mlrs', max_range_m: 120000, note: 'any rocket system: 9K515 Tornado-S 120 km' },
      { class: 'mortar', max_caliber_mm: 82, max_range_m: 6100, note: '82 mm 2B14 Podnos 4.1 km; 81 mm L16 5.7 km, M252 5.9 km' },
      { class: 'mortar', max_caliber_mm: 120, max_range_m: 7300, note: '120 mm 2B11 Sani and M120-15 Molot 7.1 km, M120 7.2 km' },
      { class: 'mortar', max_range_m: 9700, note: 'any mortar: 240 mm 2S4 Tyulpan 9.65 km' },
      { class: 'tank', max_range_m: 10000, note: '125 mm guns firing high explosive indirectly; direct fire reaches 4-5 km' },
      { class: 'artillery', min_caliber_mm: 122, max_caliber_mm: 122, max_range_m: 15400, note: '122 mm D-30 15.4 km, 2S1 Gvozdika 15.2 km with standard rounds (21.9 km rocket-assisted)' },
      { class: 'artillery', max_caliber_mm: 99, max_range_m: 15700, note: '85 mm D-44 15.65 km, 76 mm ZiS-3 13.3 km' },
      { class: 'artillery', max_caliber_mm: 121, max_range_m: 21000, note: '100 mm BS-3 20.65 km, MT-12 Rapira 8.2 km' },
      { class: 'artillery', max_caliber_mm: 155, max_range_m: 30000, note: '152 mm 2S19 Msta-S 24.7 km, 155 mm M777 24 km, PzH 2000 30 km with standard rounds' },
      { class: 'artillery', max_range_m: 37500, note: 'any gun or howitzer: 203 mm 2S7 Pion 37.5 km' },
    ],
    thresholds: { attribution_probability: 0.9 },
    rules: [
      {
        id: 'fire-after-ceasefire',
        title: 'Fire after the ceasefire entered into force',
        severity: 'high',
        condition: "event.kind in ['explosion','burst','shot'] && event.time >= agreement.effective_from",
      },
      {
        id: 'weapon-in-withdrawal-zone',
        title: 'Heavy weapon inside its withdrawal zone',
        severity: 'high',
        condition: "event.kind == 'weapon_sighting' && size(place.weapon_zones) > 0",
      },
    ],
  };
}

// Pretty JSON with positions packed several to a line: readable and diffable
// without one line per number.
function serialise(value, indent = '') {
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (typeof value[0] === 'number') return JSON.stringify(value);
    if (Array.isArray(value[0]) && typeof value[0][0] === 'number') {
      const rows = [];
      for (let i = 0; i < value.length; i += 6) rows.push(value.slice(i, i + 6).map((p) => JSON.stringify(p)).join(', '));
      return `[\n${rows.map((r) => inner + r).join(',\n')}\n${indent}]`;
    }
    if (value.every((v) => typeof v !== 'object' || v === null)) return JSON.stringify(value);
    return `[\n${value.map((v) => inner + serialise(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${serialise(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

// ---------------------------------------------------------------- checks

const countPositions = (x) => (typeof x[0] === 'number' ? 1 : x.reduce((s, y) => s + countPositions(y), 0));
const countRings = (mp) => mp.reduce((s, p) => s + p.length, 0);

function sanityChecks(areas, lines, ukraine, russiaWindow) {
  const n = {
    UKR: countPositions(areas.UKR),
    RUS: countPositions(areas.RUS),
    contact: countPositions(lines.contact),
    border: countPositions(lines.border),
  };
  const total = n.UKR + n.RUS + n.contact + n.border;
  log(
    `vertices (positions, closing ones included): UKR ${n.UKR} (${areas.UKR.length} polygons, ${countRings(areas.UKR)} rings), ` +
      `RUS ${n.RUS} (${areas.RUS.length} polygons, ${countRings(areas.RUS)} rings), contact ${n.contact} (${lines.contact.length} lines), ` +
      `border ${n.border} (${lines.border.length} lines); total ${total}`,
  );
  check(total >= 1000 && total <= 3000, `total vertices ${total} within 1,000–3,000`);

  for (const [party, mp] of Object.entries(areas)) {
    let ok = true;
    for (const poly of mp) {
      poly.forEach((ring, k) => {
        const closed = ring.length >= 4 && samePoint(ring[0], ring[ring.length - 1]);
        const ccw = ringSignedArea(ring) > 0;
        if (!closed || ccw !== (k === 0)) ok = false;
      });
    }
    check(ok, `${party}: every ring closed, outer rings counter-clockwise, holes clockwise`);
  }

  const overlap = multiPolygonAreaKm2(polygonClipping.intersection(areas.UKR, areas.RUS));
  check(overlap < 0.01, `UKR ∩ RUS area ${overlap.toFixed(4)} km²`);
  const ukrKm2 = multiPolygonAreaKm2(areas.UKR);
  const rusInUkraineKm2 = multiPolygonAreaKm2(polygonClipping.intersection(areas.RUS, ukraine));
  const ukraineKm2 = multiPolygonAreaKm2(ukraine);
  const gapKm2 = multiPolygonAreaKm2(polygonClipping.difference(ukraine, areas.UKR, areas.RUS));
  log(
    `areas: UKR ${ukrKm2.toFixed(0)} km²; RUS within Natural Earth Ukraine ${rusInUkraineKm2.toFixed(0)} km² ` +
      `(Natural Earth 4.1 counts Crimea as Russia); Natural Earth Ukraine ${ukraineKm2.toFixed(0)} km²; ` +
      `Natural Earth Ukraine in neither area after simplification ${gapKm2.toFixed(1)} km² (coast and border smoothing)`,
  );
  // A gap between the areas would be a hole in their union; the sea is not
  // a hole, so any hole is land that neither party holds.
  const holes = polygonClipping.union(areas.UKR, areas.RUS).flatMap((poly) => poly.slice(1));
  const holesKm2 = holes.reduce((s, h) => s + ringAreaKm2(h), 0);
  check(holesKm2 < 1, `gaps between UKR and RUS (holes in their union): ${holes.length}, ${holesKm2.toFixed(3)} km²`);
  const windowKm2 = multiPolygonAreaKm2(russiaWindow);
  log(`Russia in the window (before simplification): ${windowKm2.toFixed(0)} km²`);

  // The two areas must share the line of contact: every contact vertex lies
  // on both areas' boundaries.
  const ukrGrid = boundaryGrid(areas.UKR);
  const rusGrid = boundaryGrid(areas.RUS);
  let off = 0;
  for (const line of [...lines.contact, ...lines.border]) {
    for (const p of line) {
      const q = project(p);
      if (ukrGrid.distanceKm(q, 0.001) > 0.001 || rusGrid.distanceKm(q, 0.001) > 0.001) off++;
    }
  }
  check(off === 0, `lines lie on both areas' boundaries (${off} vertices off)`);

  const places = [
    ['Kyiv', 50.45, 30.52, 'UKR'],
    ['Kharkiv', 49.99, 36.23, 'UKR'],
    ['Zaporizhzhia', 47.84, 35.14, 'UKR'],
    ['Kramatorsk', 48.72, 37.56, 'UKR'],
    ['Donetsk', 48.0, 37.8, 'RUS'],
    ['Luhansk', 48.57, 39.31, 'RUS'],
    ['Sevastopol', 44.6, 33.52, 'RUS'],
    ['Melitopol', 46.85, 35.37, 'RUS'],
    ['Belgorod', 50.6, 36.6, 'RUS'],
    ['Rostov-on-Don', 47.23, 39.72, 'RUS'],
  ];
  for (const [name, lat, lon, want] of places) {
    const got = ['UKR', 'RUS'].filter((party) => pointInMultiPolygon([lon, lat], areas[party]));
    check(got.length === 1 && got[0] === want, `${name} (${lat}, ${lon}) → ${got.join('+') || 'none'}, want ${want}`);
  }

  const contactKm = lines.contact.reduce((s, l) => s + lineLengthKm(l), 0);
  const borderKm = lines.border.reduce((s, l) => s + lineLengthKm(l), 0);
  const longest = lines.contact.length ? lineLengthKm(lines.contact[0]) : 0;
  const ends = lines.contact.length
    ? [lines.contact[0][0], lines.contact[0][lines.contact[0].length - 1]].map((p) => `(${p[1]}, ${p[0]})`).join(' → ')
    : 'none';
  log(
    `contact line: ${contactKm.toFixed(0)} km in ${lines.contact.length} pieces; longest ${longest.toFixed(0)} km, ${ends}; ` +
      `border line: ${borderKm.toFixed(0)} km in ${lines.border.length} pieces`,
  );
  check(contactKm >= 1000 && contactKm <= 1600, `contact line length ${contactKm.toFixed(0)} km plausible (1,000–1,600 km along a wiggly front)`);
}

// ---------------------------------------------------------------- main

function main() {
  const path = process.argv[2];
  if (!path) {
    console.error('usage: node derive.mjs DEEPSTATE_OCCUPIED.geojson > demo-2026-08-22.json');
    process.exit(2);
  }
  const occupied = readOccupied(path);
  const { ukraine, russia } = readCountries();
  log(`inputs: occupied ${occupied.length} polygons, ${countPositions(occupied)} vertices; Natural Earth Ukraine ${countPositions(ukraine)}, Russia ${countPositions(russia)} vertices`);
  const { ukr, rus, russiaWindow } = controlledAreas(occupied, ukraine, russia);
  log(`before simplification: UKR ${countPositions(ukr)} vertices, RUS ${countPositions(rus)} vertices`);
  const { areas, lines } = simplifyShared(ukr, rus, russia);
  log(
    `Douglas–Peucker tolerance: ${TOLERANCE_LINE_KM} km on the UKR–RUS boundary; ${TOLERANCE_THEATRE_KM} km on other boundaries ` +
      `inside lon ${THEATRE.west}–${THEATRE.east}°E, lat ${THEATRE.south}–${THEATRE.north}°N; ${TOLERANCE_FAR_KM} km elsewhere`,
  );
  sanityChecks(areas, lines, ukraine, russiaWindow);
  process.stdout.write(serialise(agreement(areas, lines)) + '\n');
  if (failures.length) {
    log(`${failures.length} check(s) failed`);
    process.exit(1);
  }
}

main();
