// Benchmark: HD95 of two organ-sized ellipsoids in a 160^3 volume at 0.8 x 0.8 x 2 mm, ours and
// MONAI's definition in scipy.ndimage (reference/timing_reference.py), CPU time best of --repeat,
// with both values printed (the suite checks the values on many cases; this measures the speed).
//
//   node dist/bench/surface-distance.js [--repeat 3]
import { surfaceDistanceMetrics } from "../src/training/metrics/index.js";
import { bestCpuMs } from "./cpu-time.js";
import { runReference } from "./reference-python.js";

const i = process.argv.indexOf("--repeat");
const repeat = i >= 0 ? Number(process.argv[i + 1]) : 3;
type Triple = [number, number, number];

function ellipsoid(shape: Triple, centre: Triple, radii: Triple): Uint8Array {
  const out = new Uint8Array(shape[0] * shape[1] * shape[2]);
  let v = 0;
  for (let k = 0; k < shape[2]; k++)
    for (let j = 0; j < shape[1]; j++)
      for (let i = 0; i < shape[0]; i++, v++) {
        const r =
          ((i - centre[0]) / radii[0]) ** 2 +
          ((j - centre[1]) / radii[1]) ** 2 +
          ((k - centre[2]) / radii[2]) ** 2;
        out[v] = r <= 1 ? 1 : 0;
      }
  return out;
}

const shape: Triple = [160, 160, 160];
const truth = ellipsoid(shape, [80, 80, 80], [70, 60, 72]);
const pred = ellipsoid(shape, [76, 84, 74], [72, 58, 70]);
let hd95 = 0;
const ours = bestCpuMs(() => {
  hd95 = surfaceDistanceMetrics(pred, truth, shape, [0.8, 0.8, 2]).hd95Mm;
}, repeat);
const reference = JSON.parse(runReference("timing_reference.py", ["hd95", String(repeat)])) as {
  ms: { hd95: number };
  value: number;
};
console.log(`HD95, two ellipsoids in 160^3 at 0.8 x 0.8 x 2 mm, CPU ms, best of ${repeat}`);
console.log(`ours   ${ours.toFixed(0).padStart(6)} ms  HD95 ${hd95.toFixed(4)} mm`);
console.log(`scipy  ${reference.ms.hd95.toFixed(0).padStart(6)} ms  HD95 ${reference.value.toFixed(4)} mm`);
console.log(`ours/scipy ${(ours / reference.ms.hd95).toFixed(2)}`);
