// A fingerprint of a multi-head model's shared body (every parameter and buffer outside the
// heads: names, dtypes, shapes, bytes). Members of a federated arm whose fingerprints match hold
// a byte-identical body, so evaluation can run it once per window for all of their heads.
import { createHash } from "node:crypto";
import { tidy } from "../../engine/index.js";
import { MultiHeadUNet } from "../../nn/monai/multi-head-unet.js";

export function bodyDigest(model: MultiHeadUNet): string {
  const hash = createHash("sha256");
  const entries = [...model.stateDict()].filter(([name]) => !MultiHeadUNet.isHeadName(name));
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, t] of entries) {
    hash.update(`${name}\0${t.dtype}\0${t.shape.join(",")}\0`);
    const data = tidy(() => (t.device === "cpu" ? t : t.to({ device: "cpu" })).contiguous().toArray());
    hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return hash.digest("hex");
}
