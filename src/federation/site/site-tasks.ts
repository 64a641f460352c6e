// What a site does for each kind of task: train a round from the coordinator's weights over its
// own local state, or evaluate. It counts the rounds it trained. (Its initial weights never leave
// it: the coordinator starts the federation from its own.)

import { clipUpload, updateNorm, updateOf } from "../privacy/differential-privacy/update-clipping.js";
import type { SecureAggregationParticipant } from "../privacy/secure-aggregation/site-participant.js";
import { OPTION, readSites } from "../privacy/secure-aggregation/stage-messages.js";
import { type Task, TaskKind } from "../protocol/generated/segviz/federation/v1/federation_pb.js";
import type { NameFilter } from "../weights/name-filter.js";
import type { WeightSet } from "../weights/weight-set.js";
import {
  deltaFromWire,
  deltaToWire,
  fromWire,
  parseWireDtype,
  WIRE_DTYPE_OPTION,
} from "../weights/wire-dtype.js";
import type { LocalStateStore } from "./local-state.js";
import { mergeGlobal } from "./merge-weights.js";
import type { SiteDescriptionForTrainer, SiteTrainer } from "./site-trainer.js";
import type { TaskResultWriter } from "./task-result-writer.js";

export class SiteTasks {
  roundsTrained = 0;
  /** The newest round this site trained (or found local state for). */
  lastRound: number;

  constructor(
    private readonly trainer: SiteTrainer,
    private readonly store: LocalStateStore,
    /** The trainer's full starting weights. */
    private readonly initial: WeightSet,
    private readonly description: SiteDescriptionForTrainer,
    private readonly secure: SecureAggregationParticipant,
  ) {
    this.lastRound = store.latestRound();
  }

  /**
   * Does the task with the coordinator's weights (global) and answers through reply. sharing
   * says which names may leave the site.
   */
  async perform(task: Task, global: WeightSet, sharing: NameFilter, reply: TaskResultWriter): Promise<void> {
    if (task.kind === TaskKind.TRAIN) {
      await this.train(task, global, sharing, reply);
    } else if (task.kind === TaskKind.SECAGG_SHARE_KEYS) {
      const shares = await this.secure.shareKeys(task.options[OPTION.session], global);
      await reply.send({ ok: true }, shares);
    } else if (task.kind === TaskKind.SECAGG_MASKED_INPUT) {
      const o = task.options;
      const noise =
        o["dp.clipNorm"] === undefined
          ? undefined
          : {
              clipNorm: numberOption(o, "dp.clipNorm"),
              noiseStd: numberOption(o, "dp.noiseStd"),
              countNoiseStd:
                o["dp.countNoiseStd"] === undefined ? undefined : numberOption(o, "dp.countNoiseStd"),
            };
      const out = this.secure.maskedInput(
        o[OPTION.session],
        global,
        readSites(o, "masked-input task"),
        numberOption(o, OPTION.weight),
        noise,
      );
      await reply.send({ ok: true, metrics: out.metrics }, out.masked);
    } else if (task.kind === TaskKind.SECAGG_UNMASK) {
      const o = task.options;
      await reply.send({ ok: true }, this.secure.unmask(o[OPTION.session], readSites(o, "unmask task")));
    } else if (task.kind === TaskKind.EVALUATE) {
      const weights = mergeGlobal(await this.baseWeights(task.round), global, sharing);
      const metrics = await this.trainer.evaluate(weights, task.round);
      await reply.send({ ok: true, metrics });
    } else {
      throw new Error(`unknown task kind ${task.kind}`);
    }
  }

  private async train(task: Task, wireGlobal: WeightSet, sharing: NameFilter, reply: TaskResultWriter) {
    const base = await this.baseWeights(task.round - 1);
    const wire = parseWireDtype(
      task.options[WIRE_DTYPE_OPTION],
      `task ${task.taskId} option ${WIRE_DTYPE_OPTION}`,
    );
    // Compressed rounds: the weights arrive rounded to the wire dtype; the model trains in its own.
    const global = fromWire(wireGlobal, wire, base);
    const start = mergeGlobal(base, global, sharing);
    const trained = await this.trainer.train(start, {
      round: task.round,
      localEpochs: task.localEpochs,
      proximalMu: task.proximalMu,
      globalWeights: global,
      options: { ...task.options },
    });
    const uploaded = (n: string) => sharing.shares(n) && global.has(n);
    // Everything the site does not send is its local state (heads, kept statistics, and
    // whatever else its trainer carries between rounds, such as optimiser moments).
    await this.store.save(task.round, new Map([...trained.weights].filter(([n]) => !uploaded(n))));
    let upload: WeightSet = new Map([...trained.weights].filter(([n]) => uploaded(n)));
    const metrics = { ...trained.metrics };
    const o = task.options;
    if (o[OPTION.session] !== undefined) {
      // Secure aggregation: the update stays here until it is masked; the keys go instead.
      upload = this.secure.advertise(
        {
          session: o[OPTION.session],
          threshold: numberOption(o, OPTION.threshold),
          bits: numberOption(o, OPTION.bits),
          clipRange: numberOption(o, OPTION.clipRange),
        },
        global,
        upload,
      );
    } else if (o["dp.clipNorm"] !== undefined) {
      const clipped = clipUpload(upload, global, numberOption(o, "dp.clipNorm"));
      upload = clipped.weights;
      metrics.dpUpdateNorm = clipped.norm;
      metrics.dpUnclipped = clipped.unclipped ? 1 : 0;
    }
    let announced: number | undefined;
    if (o[OPTION.session] === undefined) {
      upload = deltaToWire(upload, global, wire);
      // The norm of what the coordinator will rebuild (from the rounded changes, when compressed).
      announced = announcedNorm(deltaFromWire(upload, global, wire, "own upload"), global);
    }
    await reply.send(
      {
        ok: true,
        metrics,
        numExamples: BigInt(Math.round(trained.numExamples ?? this.description.numTrainingCases)),
        // Announced with the result: the coordinator screens outliers before taking uploads.
        updateNorm: announced,
      },
      upload,
    );
    this.roundsTrained++;
    this.lastRound = Math.max(this.lastRound, task.round);
  }

  /** The initial weights overlaid with the local state saved after the newest round <= maxLocalRound. */
  private async baseWeights(maxLocalRound: number): Promise<WeightSet> {
    const state = await this.store.loadUpTo(maxLocalRound);
    return state === undefined ? new Map(this.initial) : new Map([...this.initial, ...state.weights]);
  }
}

/** The norm of the upload's change from the global weights, over the names it carries. */
function announcedNorm(upload: WeightSet, global: WeightSet): number {
  const base = new Map([...global].filter(([name]) => upload.has(name)));
  return updateNorm(updateOf(upload, base), base);
}

/** A numeric task option, or an error naming it. */
function numberOption(options: Record<string, string>, key: string): number {
  const v = Number(options[key]);
  if (options[key] === undefined || !Number.isFinite(v))
    throw new Error(`task option ${key} must be a number, got ${JSON.stringify(options[key])}`);
  return v;
}
