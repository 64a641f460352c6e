// Benchmark: decoding the real CT (test/fixtures/totalseg-example/ct.nii.gz, gunzipped once, so the
// decoder is measured, not zlib) in our reader and in nibabel, both from bytes in memory, as CPU
// time best of --repeat; the stored dtype and scaled float32. The test suite checks the voxels
// against nibabel; this measures the speed.
//
//   node dist/bench/nifti-decode.js [--repeat 5]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseNifti } from "../src/data/nifti/index.js";
import { TOTALSEG_EXAMPLE } from "../test/fixtures/index.js";
import { bestCpuMs } from "./cpu-time.js";
import { runReference } from "./reference-python.js";

const i = process.argv.indexOf("--repeat");
const repeat = i >= 0 ? Number(process.argv[i + 1]) : 5;

const bytes = gunzipSync(readFileSync(TOTALSEG_EXAMPLE.ct));
const scratch = mkdtempSync(join(tmpdir(), "segviz-bench-nifti-"));
try {
  const plain = join(scratch, "ct.nii");
  writeFileSync(plain, bytes);
  const ours = {
    stored: bestCpuMs(() => parseNifti(bytes, plain), repeat),
    float32: bestCpuMs(() => parseNifti(bytes, plain, { scaled: true, floatDtype: "float32" }), repeat),
  };
  const reference = JSON.parse(
    runReference("timing_reference.py", ["nifti-decode", plain, String(repeat)]),
  ) as {
    ms: { stored: number; float32: number };
    value: number[];
  };
  const shape = parseNifti(bytes, plain).shape;
  console.log(
    `decoding the real CT ${shape.join("x")} (${(bytes.length / 2 ** 20).toFixed(1)} MiB), CPU ms, best of ${repeat}`,
  );
  console.log("output            ours  nibabel  ours/nibabel");
  for (const k of ["stored", "float32"] as const)
    console.log(
      `${k.padEnd(14)} ${ours[k].toFixed(1).padStart(7)} ${reference.ms[k].toFixed(1).padStart(8)} ${(ours[k] / reference.ms[k]).toFixed(2).padStart(13)}`,
    );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
