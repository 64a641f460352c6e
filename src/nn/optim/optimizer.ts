// Optimiser base: parameter list, learning rate, and per-parameter state by name for checkpoints.
import { keep, noGrad, type Tensor } from "../../engine/index.js";

export interface NamedParam {
  name: string;
  param: Tensor;
}

export abstract class Optimizer {
  lr: number;
  /** Steps taken; saved with the state so a resumed run continues identically. */
  stepCount = 0;
  protected readonly params: NamedParam[];
  /** Per-parameter state tensors, keyed "<param name>.<slot>" (e.g. model.0.conv.weight.exp_avg). */
  protected readonly state = new Map<string, Tensor>();

  constructor(params: Iterable<[string, Tensor]> | NamedParam[], lr: number) {
    this.params = [...params].map((p) => (Array.isArray(p) ? { name: p[0], param: p[1] } : p));
    if (!(lr >= 0)) throw new Error(`optimizer: learning rate must be >= 0, got ${lr}`);
    this.lr = lr;
  }

  /** Applies one update from the parameters' current gradients (those without a gradient are skipped). */
  step(): void {
    this.stepCount++;
    noGrad(() => {
      for (const p of this.params) {
        const g = p.param.grad;
        if (g === null) continue;
        try {
          this.update(p, g);
        } finally {
          g.dispose();
        }
      }
    });
  }

  protected abstract update(p: NamedParam, grad: Tensor): void;

  zeroGrad(): void {
    for (const p of this.params) p.param.grad = null;
  }

  protected slot(p: NamedParam, name: string, init: () => Tensor): Tensor {
    const key = `${p.name}.${name}`;
    let t = this.state.get(key);
    if (t === undefined) {
      t = keep(init());
      this.state.set(key, t);
    }
    return t;
  }

  /** State tensors (live) and scalars, for checkpoints. */
  stateDict(): { tensors: Map<string, Tensor>; scalars: Record<string, number> } {
    return { tensors: new Map(this.state), scalars: { stepCount: this.stepCount, lr: this.lr } };
  }

  loadStateDict(s: { tensors: Map<string, Tensor>; scalars: Record<string, number> }): void {
    for (const t of this.state.values()) t.dispose();
    this.state.clear();
    noGrad(() => {
      for (const [k, v] of s.tensors) this.state.set(k, keep(v.clone()));
    });
    this.stepCount = s.scalars.stepCount ?? 0;
    if (s.scalars.lr !== undefined) this.lr = s.scalars.lr;
  }

  dispose(): void {
    for (const t of this.state.values()) t.dispose();
    this.state.clear();
  }
}
