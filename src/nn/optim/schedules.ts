// Learning-rate schedules, stepped once per epoch (or per step) with the epoch index, never with a metric.
import type { Optimizer } from "./optimizer.js";

export interface LrSchedule {
  /** Sets the optimiser's lr for the given epoch (0-based) and returns it. */
  apply(opt: Optimizer, epoch: number): number;
}

/** Cosine annealing from the base lr to etaMin over tMax epochs (closed form of CosineAnnealingLR). */
export class CosineSchedule implements LrSchedule {
  constructor(
    readonly baseLr: number,
    readonly tMax: number,
    readonly etaMin = 0,
  ) {
    if (tMax <= 0) throw new Error(`CosineSchedule: tMax must be > 0, got ${tMax}`);
  }
  lrAt(epoch: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
  apply(opt: Optimizer, epoch: number): number {
    opt.lr = this.lrAt(epoch);
    return opt.lr;
  }
}

/** lr = base * gamma ^ floor(epoch / stepSize), as StepLR. */
export class StepSchedule implements LrSchedule {
  constructor(
    readonly baseLr: number,
    readonly stepSize: number,
    readonly gamma = 0.1,
  ) {
    if (stepSize <= 0) throw new Error(`StepSchedule: stepSize must be > 0, got ${stepSize}`);
  }
  lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
  apply(opt: Optimizer, epoch: number): number {
    opt.lr = this.lrAt(epoch);
    return opt.lr;
  }
}

export class ConstantSchedule implements LrSchedule {
  constructor(readonly baseLr: number) {}
  apply(opt: Optimizer): number {
    opt.lr = this.baseLr;
    return opt.lr;
  }
}
