import assert from "node:assert/strict";
import { test } from "node:test";
import { cpuDescription, vectorExtensions } from "../../src/util/cpu-description.js";

// Abridged /proc/cpuinfo texts: this project's AVX2-only AMD EPYC VM (two logical CPUs, one flags
// line each), and the flags a Sapphire Rapids Xeon reports for AVX-512 BF16 and AMX.
const EPYC = `processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge sse sse2 ssse3 fma cx16 sse4_1 sse4_2 avx f16c avx2 bmi2 sha_ni
processor\t: 1
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge sse sse2 ssse3 fma cx16 sse4_1 sse4_2 avx f16c avx2 bmi2 sha_ni
`;
const SAPPHIRE = `processor\t: 0
model name\t: Intel(R) Xeon(R) Platinum 8480+
flags\t\t: fpu sse2 avx fma avx2 avx512f avx512dq avx512bw avx512vl avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8
`;

test("vector extensions: the named ones a flags line lists, in a fixed order", () => {
  assert.deepEqual(vectorExtensions(EPYC), ["avx2", "fma"]);
  assert.deepEqual(vectorExtensions(SAPPHIRE), [
    "avx2",
    "fma",
    "avx512f",
    "avx512_vnni",
    "avx512_bf16",
    "amx_bf16",
  ]);
});

test("vector extensions: no flags line (another architecture's cpuinfo) names none", () => {
  assert.deepEqual(vectorExtensions("processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd\n"), []);
});

test("the description names the model and the logical CPUs this process sees", () => {
  const d = cpuDescription();
  assert.match(d, /, \d+ logical CPUs/);
  assert.ok(!d.startsWith(", "), d);
});
