// SegViz's multi-task network: one UNet body shared by all tasks and one head per task, where a
// head is the UNet's top up-block (MONAI's `model.2`). Names make the split explicit:
//   body  model.0.*, model.1.*      (MONAI names; what a federation may share)
//   heads heads.<task>.*            (one MONAI `model.2` each; stays at its site)
// so that for any task the body plus its head renamed to `model.2.*` is a MONAI UNet state dict.
import { type Tensor, tidy } from "../../engine/index.js";
import type { Sequential } from "../layers/containers.js";
import { Module } from "../module.js";
import { UNet, type UNetConfig } from "./unet.js";

export interface TaskHead {
  /** Task name, e.g. an organ ("liver") or "multiclass" for a central model. */
  name: string;
  /** Output channels of the head (2 for a binary organ head with background). */
  outChannels: number;
}

const HEAD_PREFIX = "heads.";
const MONAI_HEAD_PREFIX = "model.2.";

/** The UNet minus its top up-block: down block (model.0) then the skip sub-network (model.1). */
class UNetBody extends Module {
  constructor(
    readonly down: Module,
    readonly skip: Module,
  ) {
    super();
    this.registerModule("0", down);
    this.registerModule("1", skip);
  }
  forward(x: Tensor): Tensor {
    return tidy(() => this.skip.forward(this.down.forward(x)));
  }
}

class HeadSet extends Module {
  readonly byName = new Map<string, Module>();
  add(name: string, head: Module): void {
    if (!/^[A-Za-z0-9_-]+$/.test(name))
      throw new Error(`MultiHeadUNet: task name '${name}' must be letters, digits, _ or -`);
    if (this.byName.has(name)) throw new Error(`MultiHeadUNet: duplicate task '${name}'`);
    this.byName.set(name, head);
    this.registerModule(name, head);
  }
  forward(): Tensor {
    throw new Error("HeadSet: call a head by name");
  }
}

export class MultiHeadUNet extends Module {
  readonly body: UNetBody;
  readonly heads: HeadSet;
  readonly config: UNetConfig;
  readonly tasks: TaskHead[];

  constructor(config: UNetConfig, tasks: TaskHead[]) {
    super();
    if (tasks.length === 0) throw new Error("MultiHeadUNet: at least one task head is needed");
    this.config = config;
    this.tasks = tasks;
    const first = new UNet({ ...config, outChannels: tasks[0]!.outChannels });
    const [down, skip, top] = (first.model as Sequential).layers as [Module, Module, Module];
    this.body = this.registerModule("model", new UNetBody(down, skip));
    this.heads = this.registerModule("heads", new HeadSet());
    this.heads.add(tasks[0]!.name, top);
    for (const t of tasks.slice(1)) this.heads.add(t.name, first.createTopUpBlock(t.outChannels));
  }

  head(task: string): Module {
    const h = this.heads.byName.get(task);
    if (!h)
      throw new Error(`MultiHeadUNet: no head '${task}' (have ${[...this.heads.byName.keys()].join(", ")})`);
    return h;
  }

  /** Logits of the only head (single-task models). */
  forward(x: Tensor): Tensor {
    if (this.tasks.length !== 1)
      throw new Error("MultiHeadUNet.forward: several heads; use forwardTask or forwardAll");
    return this.forwardTask(this.tasks[0]!.name, x);
  }

  forwardTask(task: string, x: Tensor): Tensor {
    const head = this.head(task);
    return tidy(() => head.forward(this.body.forward(x)));
  }

  /** Every head's logits from one pass through the body. */
  forwardAll(x: Tensor): Map<string, Tensor> {
    return tidy(() => {
      const features = this.body.forward(x);
      return new Map(this.tasks.map((t) => [t.name, this.head(t.name).forward(features)]));
    });
  }

  /** True for names of per-task (site-local) parameters and buffers. */
  static isHeadName(name: string): boolean {
    return name.startsWith(HEAD_PREFIX);
  }

  /** The MONAI UNet state dict of one task: the body plus that head under `model.2.*`. */
  monaiStateDict(task: string): Map<string, Tensor> {
    this.head(task);
    const prefix = `${HEAD_PREFIX}${task}.`;
    const out = new Map<string, Tensor>();
    for (const [k, v] of this.stateDict()) {
      if (!MultiHeadUNet.isHeadName(k)) out.set(k, v);
      else if (k.startsWith(prefix)) out.set(MONAI_HEAD_PREFIX + k.slice(prefix.length), v);
    }
    return out;
  }

  /** Loads a MONAI UNet state dict into the body and one task's head. */
  loadMonaiStateDict(task: string, values: Map<string, Tensor>): void {
    this.head(task);
    const renamed = new Map<string, Tensor>();
    for (const [k, v] of values) {
      renamed.set(
        k.startsWith(MONAI_HEAD_PREFIX) ? `${HEAD_PREFIX}${task}.${k.slice(MONAI_HEAD_PREFIX.length)}` : k,
        v,
      );
    }
    const expected = new Set(this.monaiStateDict(task).keys());
    const missing = [...values.keys()].filter((k) => !k.startsWith(MONAI_HEAD_PREFIX) && !expected.has(k));
    if (missing.length) throw new Error(`loadMonaiStateDict: unexpected keys: ${missing.join(", ")}`);
    const own = new Set(this.stateDict().keys());
    const absent = [...own].filter(
      (k) => (!MultiHeadUNet.isHeadName(k) || k.startsWith(`${HEAD_PREFIX}${task}.`)) && !renamed.has(k),
    );
    if (absent.length) throw new Error(`loadMonaiStateDict: missing keys: ${absent.join(", ")}`);
    this.loadStateDict(renamed, { strict: false });
  }
}
