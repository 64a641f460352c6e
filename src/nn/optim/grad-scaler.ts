// Dynamic loss scaling for float16 training (the rules of torch.cuda.amp.GradScaler): the loss is
// multiplied by a scale before backward so small float16 gradients do not flush to zero; the
// gradients are divided by it before the step; a step whose gradients hold an inf or NaN is
// skipped and the scale backs off; after `growthInterval` clean steps in a row the scale grows.
import { noGrad, type Tensor, tidy } from "../../engine/index.js";
import type { Optimizer } from "./optimizer.js";

export interface GradScalerOptions {
  /** PyTorch's defaults: 2^16, x2, x0.5, every 2000 steps. */
  initScale?: number;
  growthFactor?: number;
  backoffFactor?: number;
  growthInterval?: number;
}

export interface GradScalerState {
  scale: number;
  growthTracker: number;
}

export class GradScaler {
  scale: number;
  /** Clean steps since the scale last changed. */
  growthTracker = 0;
  readonly growthFactor: number;
  readonly backoffFactor: number;
  readonly growthInterval: number;

  constructor(o: GradScalerOptions = {}) {
    this.scale = o.initScale ?? 2 ** 16;
    this.growthFactor = o.growthFactor ?? 2;
    this.backoffFactor = o.backoffFactor ?? 0.5;
    this.growthInterval = o.growthInterval ?? 2000;
    if (!(this.scale > 0)) throw new Error(`grad scaler: initScale must be > 0, got ${this.scale}`);
    if (!(this.growthFactor > 1))
      throw new Error(`grad scaler: growthFactor must be > 1, got ${this.growthFactor}`);
    if (!(this.backoffFactor > 0 && this.backoffFactor < 1))
      throw new Error(`grad scaler: backoffFactor must be in (0, 1), got ${this.backoffFactor}`);
    if (!(Number.isInteger(this.growthInterval) && this.growthInterval >= 1))
      throw new Error(`grad scaler: growthInterval must be a positive integer, got ${this.growthInterval}`);
  }

  /** The loss to call backward on. */
  scaleLoss(loss: Tensor): Tensor {
    return loss.mul(this.scale);
  }

  /**
   * Divides the gradients by the scale, steps the optimiser unless one of them is not finite, and
   * updates the scale. Returns whether the optimiser stepped.
   */
  step(optimizer: Optimizer): boolean {
    // As PyTorch: the reciprocal in double, applied in float32.
    const inverse = Math.fround(1 / this.scale);
    const finite = tidy(() =>
      noGrad(() => {
        let allFinite: Tensor | null = null;
        for (const g of optimizer.gradients()) {
          g.mul_(inverse);
          const f = g.isfinite().all();
          allFinite = allFinite === null ? f : allFinite.logicalAnd(f);
        }
        return allFinite === null ? true : Boolean(allFinite.item());
      }),
    );
    if (finite) optimizer.step();
    this.update(finite);
    return finite;
  }

  private update(finite: boolean): void {
    if (!finite) {
      this.scale *= this.backoffFactor;
      this.growthTracker = 0;
      return;
    }
    this.growthTracker++;
    if (this.growthTracker === this.growthInterval) {
      this.scale *= this.growthFactor;
      this.growthTracker = 0;
    }
  }

  stateDict(): GradScalerState {
    return { scale: this.scale, growthTracker: this.growthTracker };
  }

  loadStateDict(s: GradScalerState): void {
    if (!(s.scale > 0) || !Number.isInteger(s.growthTracker) || s.growthTracker < 0)
      throw new Error(`grad scaler: bad saved state ${JSON.stringify(s)}`);
    this.scale = s.scale;
    this.growthTracker = s.growthTracker;
  }
}
