// What training an arm leaves behind for evaluation and the report: the checkpoints whose heads
// together predict every organ, the training curves, and (federated arms) the sharing evidence.
// Written to arms/<name>/arm.json when the arm is done, so an interrupted study resumes after it.
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CurveSeries, PrivacyEvidence, SharingEvidence } from "../report/report-types.js";

export interface TrainedArm {
  name: string;
  /** Checkpoint folders (trainer.json + model.safetensors) whose fused heads are the arm's prediction. */
  members: string[];
  /** Safetensors files a PyTorch/MONAI user can load (MONAI UNet names, one per site head). */
  exports: string[];
  curves: CurveSeries[];
  trainSeconds: number;
  loss: string;
  strategy?: string;
  sharing?: SharingEvidence;
  privacy?: PrivacyEvidence;
}

const FILE = "arm.json";

export async function saveTrainedArm(dir: string, arm: TrainedArm): Promise<void> {
  await writeFile(join(dir, FILE), `${JSON.stringify(arm, null, 2)}\n`);
}

/** The arm recorded in dir when its training finished, or undefined. */
export async function loadTrainedArm(dir: string): Promise<TrainedArm | undefined> {
  const path = join(dir, FILE);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(await readFile(path, "utf8")) as TrainedArm;
  } catch (e) {
    throw new Error(`${path}: unreadable arm record (${(e as Error).message}); delete it to retrain the arm`);
  }
}

/** Loss per epoch from a trainer's metrics.jsonl. */
export async function epochCurve(metricsFile: string, name: string): Promise<CurveSeries> {
  const points: { x: number; loss: number }[] = [];
  if (existsSync(metricsFile)) {
    for (const line of (await readFile(metricsFile, "utf8")).split("\n")) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as { event?: string; epoch?: number; loss?: number };
      if (r.event === "epoch" && typeof r.epoch === "number" && typeof r.loss === "number")
        points.push({ x: r.epoch, loss: r.loss });
    }
  }
  return { name, x: "epoch", points };
}
