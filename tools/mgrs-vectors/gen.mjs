// gen.mjs writes MGRS cross-check vectors from the npm mgrs package (the
// reference the design names for MGRS) as JSON on standard output. The Go
// tests in geo/ read them from geo/testdata/mgrs_vectors.json.
//
// Deterministic: a seeded PRNG picks every point, and the package version is
// pinned by package-lock.json, so the same checkout always writes the same
// bytes. See README.md.

import { readFileSync } from 'node:fs';
import mgrs from 'mgrs';

const { forward, toPoint } = mgrs;

const SEED = 0x7275_6365; // "ruce"
const pkg = JSON.parse(readFileSync(new URL('./node_modules/mgrs/package.json', import.meta.url), 'utf8'));

// mulberry32: small, fast and good enough to scatter test points.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(SEED);
const uniform = (lo, hi) => lo + (hi - lo) * rand();
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
// 1e-9 degrees is 0.1 mm: fine enough to land anywhere in a 1 m square,
// short enough to keep the file small. Printed as the shortest round-trip
// decimal, so Go parses the very same float64.
const r9 = (x) => {
  const v = Math.round(x * 1e9) / 1e9;
  return Object.is(v, -0) ? 0 : v;
};

const BANDS = 'CDEFGHJKLMNPQRSTUVWX';
const bandLat = (i) => [-80 + 8 * i, i === 19 ? 84 : -72 + 8 * i];

// Longitude range of a grid zone with the Norway and Svalbard exceptions;
// null where the grid zone does not exist.
function zoneLon(zone, band) {
  let w = -180 + 6 * (zone - 1);
  let e = w + 6;
  if (band === 'V' && zone === 31) e = 3;
  if (band === 'V' && zone === 32) w = 3;
  if (band === 'X') {
    if (zone === 32 || zone === 34 || zone === 36) return null;
    if (zone === 31) e = 9;
    if (zone === 33) [w, e] = [9, 21];
    if (zone === 35) [w, e] = [21, 33];
    if (zone === 37) w = 33;
  }
  return [w, e];
}

const fwd = [];
const inv = [];
const seenInv = new Set();

// Forward vector: the reference at every precision 0..5, or null where npm
// refuses the point.
function addForward(tag, lat, lon) {
  lat = r9(lat);
  lon = r9(lon);
  let refs = null;
  let error;
  try {
    refs = [0, 1, 2, 3, 4, 5].map((d) => forward([lon, lat], d));
  } catch (e) {
    error = String(e.message);
  }
  const v = { tag, lat, lon, mgrs: refs };
  if (error) v.error = error;
  fwd.push(v);
  return refs;
}

// Inverse vector: the point mgrs.toPoint gives for a reference, which is
// the midpoint in latitude and longitude of the square's south-west and
// north-east corners.
function addInverse(tag, ref) {
  if (seenInv.has(ref)) return;
  seenInv.add(ref);
  const [lon, lat] = toPoint(ref);
  inv.push({ tag, mgrs: ref, lat: r9(lat), lon: r9(lon) });
}

// Spell a reference as a person might: leading zero in the zone, spaces
// between its parts (both allowed by the intake schema).
function respell(ref) {
  const m = /^(\d{1,2})([A-Z])([A-Z]{2})(\d*)$/.exec(ref);
  let [, zone, band, sq, digits] = m;
  if (zone.length === 1 && rand() < 0.5) zone = '0' + zone;
  const k = digits.length / 2;
  const sp = () => (rand() < 0.5 ? ' ' : '');
  return zone + band + sp() + sq + (k ? sp() + digits.slice(0, k) + sp() + digits.slice(k) : '');
}

// 1. Every grid zone (UTM zone × band, exceptions included): a random
//    point inside with its references at all precisions, and another
//    point's reference, at a random precision, inverted.
for (let zone = 1; zone <= 60; zone++) {
  for (let b = 0; b < BANDS.length; b++) {
    const lon = zoneLon(zone, BANDS[b]);
    if (!lon) continue;
    const [s, n] = bandLat(b);
    addForward('gzd', uniform(s, n), uniform(lon[0], lon[1]));
    const ref = forward([r9(uniform(lon[0], lon[1])), r9(uniform(s, n))], Math.floor(rand() * 6));
    addInverse('gzd', ref);
  }
}

// 2. Norway (32V widened over 31V) and Svalbard (31X 33X 35X 37X), with a
//    margin around each so the exception's edges are crossed.
for (let k = 0; k < 200; k++) addForward('norway', uniform(55, 65), uniform(-1, 13));
for (let k = 0; k < 300; k++) addForward('svalbard', uniform(71, 84), uniform(-2, 44));
for (const lat of [56, 63.999999999, 64, 72, 78, 83.999999999, 84]) {
  for (const lon of [0, 2.999999999, 3, 8.999999999, 9, 11.999999999, 12, 20.999999999, 21, 32.999999999, 33, 41.999999999, 42]) {
    addForward('exception-edge', lat, lon);
  }
}

// 3. Zone edges at random latitudes: on each boundary meridian and 0.1 mm
//    either side of it; band edges likewise.
for (let zone = 0; zone <= 60; zone++) {
  const lon = -180 + 6 * zone;
  const lat = uniform(-80, 84);
  for (const d of [-1e-9, 0, 1e-9]) {
    if (lon + d < -180 || lon + d > 180) continue;
    addForward('zone-edge', lat, lon + d);
  }
}
for (let b = 0; b <= 20; b++) {
  const lat = -80 + 8 * b;
  for (let k = 0; k < 3; k++) {
    const lon = uniform(-180, 180);
    for (const d of [-1e-9, 0, 1e-9]) {
      if (lat + d < -80 || lat + d > 84) continue;
      addForward('band-edge', lat + d, lon);
    }
  }
}

// 4. The equator, the 80°S and 84°N limits, the antimeridian.
for (let k = 0; k < 40; k++) {
  const lon = uniform(-180, 180);
  for (const lat of [-1e-9, 0, 1e-9]) addForward('equator', lat, lon);
}
for (let k = 0; k < 30; k++) {
  const lon = uniform(-180, 180);
  for (const lat of [-80, -79.999999999, 83.999999999, 84]) addForward('limit', lat, lon);
}
for (const lat of [-80, -45.5, 0, 33.3, 71.9, 84]) {
  for (const lon of [-180, -179.999999999, 179.999999999, 180]) addForward('antimeridian', lat, lon);
}
// npm refuses these; the Go side must too.
for (const [lat, lon] of [[84.000000001, 10], [-80.000000001, 10], [90, 0], [-90, 0]]) {
  addForward('polar', lat, lon);
}

// 5. Southern hemisphere in depth: npm and geo must agree on the false
//    northing and the row-letter cycle in every southern band.
for (let k = 0; k < 300; k++) {
  const refs = addForward('south', uniform(-80, 0), uniform(-180, 180));
  if (refs) addInverse('south', respell(refs[Math.floor(rand() * 6)]));
}

// 6. Ukraine and around: zones 34–37, bands T and U, where the mechanism
//    works.
for (let k = 0; k < 500; k++) {
  const refs = addForward('ukraine', uniform(44, 52.5), uniform(22, 40.5));
  if (refs) addInverse('ukraine', respell(refs[Math.floor(rand() * 6)]));
}

// 7. Random points anywhere in 80°S..84°N, inverted at every precision,
//    some spelt with spaces and leading zeros.
for (let k = 0; k < 400; k++) {
  const refs = addForward('world', uniform(-80, 84), uniform(-180, 180));
  if (refs) addInverse('world', rand() < 0.3 ? respell(refs[k % 6]) : refs[k % 6]);
}

// 8. Whole 100 km squares in Norway, Svalbard and Ukraine, including the
//    partial ones on zone and band edges: every square a grid of points
//    falls in, inverted.
for (const [tag, s, n, w, e] of [
  ['norway', 56, 64, 0, 12],
  ['svalbard', 72, 84, 0, 42],
  ['ukraine', 44, 52.5, 22, 40.5],
]) {
  for (let lat = s; lat < n; lat += 0.25) {
    for (let lon = w; lon < e; lon += 0.25) {
      addInverse(tag + '-100km', forward([lon, lat], 0));
    }
  }
}

const out = {
  generator: 'tools/mgrs-vectors/gen.mjs',
  package: `${pkg.name}@${pkg.version}`,
  seed: SEED,
  note: 'forward: lat/lon -> mgrs.forward at precisions 0..5 (null where npm throws); inverse: mgrs.toPoint, the lat/lon midpoint of the square\'s SW and NE corners',
  forward: fwd,
  inverse: inv,
};
// One vector per line: small diffs when the generator changes.
const lines = [];
lines.push('{');
for (const key of ['generator', 'package', 'seed', 'note']) lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(out[key])},`);
for (const key of ['forward', 'inverse']) {
  lines.push(`  ${JSON.stringify(key)}: [`);
  out[key].forEach((v, i) => lines.push('    ' + JSON.stringify(v) + (i < out[key].length - 1 ? ',' : '')));
  lines.push(key === 'forward' ? '  ],' : '  ]');
}
lines.push('}');
process.stdout.write(lines.join('\n') + '\n');
