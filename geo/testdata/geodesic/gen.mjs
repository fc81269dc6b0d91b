// Makes the reference vectors for geo's geodesic tests with GeographicLib
// (Karney 2013), an implementation independent of ours.
//
//   cd geo/testdata/geodesic && npm ci && node gen.mjs
//
// Deterministic: a seeded generator, inputs rounded to 12 decimals before
// they are used, so the Go test reads exactly the numbers solved here.
import { writeFileSync } from "node:fs";
import geodesic from "geographiclib-geodesic";

const g = geodesic.Geodesic.WGS84;
const inverse = geodesic.Geodesic.DISTANCE | geodesic.Geodesic.AZIMUTH;

let seed = 20260822;
function rand() { // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const r12 = (x) => Number(x.toFixed(12));
const uni = (lo, hi) => r12(lo + (hi - lo) * rand());
const wrap = (lon) => r12(((((lon + 180) % 360) + 360) % 360) - 180);

const pairs = []; // [kind, lat1, lon1, lat2, lon2]
for (let i = 0; i < 1500; i++) pairs.push(["global", uni(-90, 90), uni(-180, 180), uni(-90, 90), uni(-180, 180)]);
for (let i = 0; i < 500; i++) {
  const lat = uni(44, 53), lon = uni(22, 41);
  const d = Math.pow(10, uni(-3, 0.5)); // 0.001° .. 3°
  pairs.push(["ukraine", lat, lon, r12(lat + d * (rand() - 0.5)), r12(lon + d * (rand() - 0.5))]);
}
for (let i = 0; i < 400; i++) {
  // Nearly antipodal: where Vincenty's iteration is known to fail.
  const lat = uni(-60, 60), lon = uni(-180, 180);
  const e = Math.pow(10, uni(-6, 0));
  pairs.push(["antipodal", lat, lon, r12(-lat + e * (rand() - 0.5)), wrap(lon + 180 + e * (rand() - 0.5))]);
}
for (let i = 0; i < 100; i++) {
  const lon = uni(-180, 180);
  pairs.push(["equator", 0, lon, 0, wrap(lon + uni(170, 180))]);
}
pairs.push(["special", 0, 0, 0, 0]);
pairs.push(["special", 0, 0, 0, 180]);
pairs.push(["special", 0, 0, 0, 179.5]);
pairs.push(["special", 0, 0, 0.5, 179.5]);
pairs.push(["special", 0, 0, 0.5, 179.7]);
pairs.push(["special", 90, 0, -90, 0]);
pairs.push(["special", 90, 0, 90, 120]);
pairs.push(["special", 90, 0, 0, 0]);
pairs.push(["special", -90, 0, 48, 37.8]);
pairs.push(["special", 48.0159, 37.8028, 48.7389, 37.5848]);
pairs.push(["special", 30, 0, -30, 180]);
pairs.push(["special", 41.41, 0, -41.41, 179.5]);

let out = "kind,lat1,lon1,lat2,lon2,s12_m,azi1_deg,azi2_deg\n";
for (const [kind, lat1, lon1, lat2, lon2] of pairs) {
  const r = g.Inverse(lat1, lon1, lat2, lon2, inverse);
  out += [kind, lat1, lon1, lat2, lon2, r.s12.toFixed(9), r.azi1.toFixed(12), r.azi2.toFixed(12)].join(",") + "\n";
}
writeFileSync("vectors.csv", out);

let dir = "lat1,lon1,azi1_deg,s12_m,lat2,lon2\n";
for (let i = 0; i < 1000; i++) {
  const lat = uni(-89, 89), lon = uni(-180, 180), azi = uni(0, 360);
  const s = i < 500 ? r12(Math.pow(10, uni(0, 5.4))) : r12(uni(0, 19900000));
  const r = g.Direct(lat, lon, azi, s);
  dir += [lat, lon, azi, s, r.lat2.toFixed(12), r.lon2.toFixed(12)].join(",") + "\n";
}
writeFileSync("direct.csv", dir);
