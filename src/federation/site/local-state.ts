// A site's local (never shared) tensors after each round it trained, kept on disk so a killed
// site resumes. Training round r always starts from the state saved after the newest round
// before r, so a round that is retried (or re-sent by a resumed coordinator) is recomputed from
// the same starting point.

import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { NamedTensorData } from "../../nn/safetensors/index.js";
import { readSafetensorsFile, writeSafetensorsFile } from "../../nn/safetensors/index.js";
import { ensureWritableDir } from "../../util/file-writes.js";
import type { WeightSet } from "../weights/weight-set.js";

const FILE = /^local-round-(\d+)\.safetensors$/;
const KEEP = 3;

export class LocalStateStore {
  private readonly memory = new Map<number, WeightSet>();

  constructor(private readonly dir?: string) {
    if (dir !== undefined) ensureWritableDir(dir, "site: stateDir");
  }

  private rounds(): number[] {
    const rounds =
      this.dir === undefined
        ? [...this.memory.keys()]
        : readdirSync(this.dir).flatMap((n) => {
            const m = FILE.exec(n);
            return m === null ? [] : [Number(m[1])];
          });
    return rounds.sort((a, b) => a - b);
  }

  latestRound(): number {
    return this.rounds().at(-1) ?? 0;
  }

  async save(round: number, weights: WeightSet): Promise<void> {
    if (this.dir === undefined) this.memory.set(round, weights);
    else {
      const record: Record<string, NamedTensorData> = Object.create(null);
      for (const [k, t] of weights) record[k] = t;
      await writeSafetensorsFile(join(this.dir, `local-round-${round}.safetensors`), record, {
        round: String(round),
      });
    }
    for (const old of this.rounds().slice(0, -KEEP)) this.remove(old);
  }

  private remove(round: number): void {
    if (this.dir === undefined) this.memory.delete(round);
    else rmSync(join(this.dir, `local-round-${round}.safetensors`), { force: true });
  }

  /**
   * For a finished federation: keeps only the newest round's state, with only the tensors `keep`
   * accepts (what rebuilding the site's final model needs, not what resuming training needs).
   */
  async compact(keep: (name: string) => boolean): Promise<void> {
    const latest = await this.loadUpTo(Number.POSITIVE_INFINITY);
    if (latest === undefined) return;
    for (const old of this.rounds().slice(0, -1)) this.remove(old);
    const kept: WeightSet = new Map([...latest.weights].filter(([name]) => keep(name)));
    if (kept.size < latest.weights.size) await this.save(latest.round, kept);
  }

  /** The state saved after the newest round <= maxRound, or undefined. */
  async loadUpTo(maxRound: number): Promise<{ round: number; weights: WeightSet } | undefined> {
    const round = this.rounds()
      .filter((r) => r <= maxRound)
      .at(-1);
    if (round === undefined) return undefined;
    if (this.dir === undefined) return { round, weights: this.memory.get(round)! };
    const { tensors } = await readSafetensorsFile(join(this.dir, `local-round-${round}.safetensors`));
    return { round, weights: new Map(Object.keys(tensors).map((k) => [k, tensors[k]])) };
  }
}
