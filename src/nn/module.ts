// Module: a node in a network tree holding named parameters, buffers and child modules, with
// PyTorch's naming and state_dict order (own parameters, own buffers, then children in order).
import { assertDevice, type Dtype, FLOAT_DTYPES, keep, noGrad, type Tensor } from "../engine/index.js";

export abstract class Module {
  training = true;
  private readonly params = new Map<string, Tensor | null>();
  private readonly buffers = new Map<string, Tensor | null>();
  private readonly children = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  protected registerParameter(name: string, t: Tensor | null): Tensor | null {
    if (t !== null) {
      keep(t);
      t.requiresGrad = true;
    }
    this.params.set(name, t);
    return t;
  }

  protected registerBuffer(name: string, t: Tensor | null): Tensor | null {
    if (t !== null) keep(t);
    this.buffers.set(name, t);
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  namedChildren(): [string, Module][] {
    return [...this.children.entries()];
  }

  /** This module and every descendant, with dotted names (the root's name is ""). */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.children)
      out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, p] of m.params) if (p !== null) out.push([prefix ? `${prefix}.${name}` : name, p]);
    }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, b] of m.buffers) if (b !== null) out.push([prefix ? `${prefix}.${name}` : name, b]);
    }
    return out;
  }

  /** Parameters and buffers by name, in PyTorch's state_dict order. The tensors are the live ones. */
  stateDict(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    const visit = (m: Module, prefix: string) => {
      for (const [name, p] of m.params) if (p !== null) out.set(prefix + name, p);
      for (const [name, b] of m.buffers) if (b !== null) out.set(prefix + name, b);
      for (const [name, c] of m.children) visit(c, `${prefix}${name}.`);
    };
    visit(this, "");
    return out;
  }

  /**
   * Copies values into this module's tensors. strict: the key sets must match exactly. Shapes
   * must match; values are cast to each tensor's dtype. Errors name the offending keys.
   */
  loadStateDict(values: Map<string, Tensor> | Record<string, Tensor>, opts: { strict?: boolean } = {}): void {
    const src = values instanceof Map ? values : new Map(Object.entries(values));
    const own = this.stateDict();
    const strict = opts.strict ?? true;
    if (strict) {
      const missing = [...own.keys()].filter((k) => !src.has(k));
      const unexpected = [...src.keys()].filter((k) => !own.has(k));
      if (missing.length || unexpected.length) {
        throw new Error(
          `loadStateDict: ${missing.length ? `missing keys: ${missing.join(", ")}` : ""}${missing.length && unexpected.length ? "; " : ""}${unexpected.length ? `unexpected keys: ${unexpected.join(", ")}` : ""}`,
        );
      }
    }
    for (const [k, v] of src) {
      const target = own.get(k);
      if (target === undefined) continue;
      const ts = target.shape;
      const vs = v.shape;
      if (ts.length !== vs.length || ts.some((d, i) => d !== vs[i])) {
        throw new Error(`loadStateDict: '${k}' has shape [${vs}], the module expects [${ts}]`);
      }
    }
    noGrad(() => {
      for (const [k, v] of src) {
        const target = own.get(k);
        if (target !== undefined) target.copy_(v);
      }
    });
  }

  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /**
   * Casts every floating-point parameter and buffer to dtype in place of the old tensors (as
   * PyTorch's module.double()/.to(dtype)); integer buffers such as num_batches_tracked are kept.
   */
  to(dtype: Dtype): this {
    if (!FLOAT_DTYPES.has(dtype)) throw new Error(`Module.to: ${dtype} is not a floating-point dtype`);
    return this.replaceTensors(
      (t) => FLOAT_DTYPES.has(t.dtype) && t.dtype !== dtype,
      (t) => t.to({ dtype }),
    );
  }

  /** Moves every parameter and buffer to a device ("cpu", "cuda", "cuda:1"), as PyTorch's .to(device). */
  toDevice(device: string): this {
    assertDevice(device);
    return this.replaceTensors(
      (t) => t.device !== device,
      (t) => t.to({ device }),
    );
  }

  /** Replaces the selected parameters and buffers with converted copies (freeing the originals). */
  private replaceTensors(select: (t: Tensor) => boolean, convert: (t: Tensor) => Tensor): this {
    for (const [, m] of this.namedModules()) {
      for (const table of [m.params, m.buffers]) {
        for (const [name, t] of table) {
          if (t === null || !select(t)) continue;
          const isParam = table === m.params;
          const converted = keep(noGrad(() => convert(t)));
          if (isParam) converted.requiresGrad = true;
          table.set(name, converted);
          // Layers also hold their tensors in fields (this.weight, ...): point those at the copy.
          const fields = m as unknown as Record<string, unknown>;
          for (const key of Object.keys(fields)) if (fields[key] === t) fields[key] = converted;
          t.dispose();
        }
      }
    }
    return this;
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.numel, 0);
  }

  /** Frees every parameter and buffer of the tree. */
  dispose(): void {
    for (const [, m] of this.namedModules()) {
      for (const p of m.params.values()) p?.dispose();
      for (const b of m.buffers.values()) b?.dispose();
    }
  }
}
