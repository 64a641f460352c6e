// Optimiser base: parameter list, learning rate, and per-parameter state by name for checkpoints.
import { atenOp, callInPlace, keep, noGrad, type Tensor, tidy } from "../../engine/index.js";

const zeroOp = atenOp("aten::_foreach_zero_");

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

  /** The gradients of this optimiser's parameters that have one (new handles, for a tidy scope). */
  gradients(): Tensor[] {
    return this.params.map((p) => p.param.grad).filter((g): g is Tensor => g !== null);
  }

  /**
   * Clears gradients. By default they are dropped (PyTorch 2's default); setToNone=false zeroes
   * them in place and reuses their memory, as PyTorch 1.13's zero_grad() does (faster in a
   * training loop, but it also zeroes any tensor that was assigned as a gradient).
   */
  zeroGrad(setToNone = true): void {
    if (setToNone) {
      for (const p of this.params) p.param.grad = null;
      return;
    }
    tidy(() => {
      const grads = this.params.map((p) => p.param.grad).filter((g): g is Tensor => g !== null);
      if (grads.length) noGrad(() => callInPlace(zeroOp, [grads]));
    });
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
