// A hostile site speaking the protocol by hand: it answers every training task with the
// weights it was sent, but flips one byte of the first chunk after the checksum was computed.

import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import {
  updateNorm,
  updateOf,
} from "../../../src/federation/privacy/differential-privacy/update-clipping.js";
import {
  type CoordinatorMessage,
  HelloSchema,
  type Task,
  TaskResultSchema,
  type WeightChunk,
} from "../../../src/federation/protocol/generated/segviz/federation/v1/federation_pb.js";
import { PayloadAssembler, preparePayload } from "../../../src/federation/protocol/payload.js";
import {
  CHANNEL_OPTIONS,
  FederationClientConstructor,
  siteMessage,
} from "../../../src/federation/protocol/service.js";
import { PROTOCOL_VERSION } from "../../../src/federation/protocol/version.js";
import { decodeWeightSet } from "../../../src/federation/weights/weight-set.js";

/** How a scripted site breaks the upload protocol, beyond the corrupted chunk. */
export interface UploadMisbehaviour {
  /** Sends the chunks right after the result, without waiting for the coordinator's grant. */
  ignoreGrant?: boolean;
  /** The norm to announce, given the true one (default: the true one). */
  announce?: (trueNorm: number) => number | undefined;
}

/**
 * With `rewrite`, the site answers with rewrite(weights it was sent) instead, intact: a site that
 * ignores what the coordinator asks (say, differential privacy's clipping norm).
 */
export function runCorruptingSite(
  address: string,
  siteId: string,
  token: string,
  rewrite?: (bytes: Uint8Array) => Uint8Array,
  misbehave: UploadMisbehaviour = {},
): Promise<void> {
  const client = new FederationClientConstructor(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
  const stream = client.join();
  let pending: { task: Task; assembler: PayloadAssembler } | undefined;
  const awaitingGrant = new Map<string, WeightChunk[]>();
  const send = (chunks: WeightChunk[]) => {
    for (const chunk of chunks) stream.write(siteMessage({ case: "chunk", value: chunk }));
  };
  stream.on("data", (m: CoordinatorMessage) => {
    if (m.body.case === "grant") {
      const chunks = awaitingGrant.get(m.body.value.taskId);
      awaitingGrant.delete(m.body.value.taskId);
      if (chunks !== undefined && m.body.value.refusal === "") send(chunks);
    } else if (m.body.case === "task" && m.body.value.weights !== undefined) {
      pending = { task: m.body.value, assembler: new PayloadAssembler(m.body.value.weights, "coordinator") };
    } else if (m.body.case === "chunk" && pending !== undefined) {
      pending.assembler.add(m.body.value);
      if (!pending.assembler.complete) return;
      const bytes = pending.assembler.finish();
      const answer = rewrite?.(bytes) ?? bytes;
      const out = preparePayload(answer, `${pending.task.taskId}-result`, 64);
      if (rewrite === undefined) {
        const tampered = out.chunks[0].data.slice();
        tampered[tampered.length - 1] ^= 0x01;
        out.chunks[0] = { ...out.chunks[0], data: tampered };
      }
      const global = decodeWeightSet(bytes, "global");
      const trueNorm = updateNorm(updateOf(decodeWeightSet(answer, "answer"), global), global);
      stream.write(
        siteMessage({
          case: "result",
          value: create(TaskResultSchema, {
            taskId: pending.task.taskId,
            round: pending.task.round,
            ok: true,
            numExamples: 1n,
            weights: out.info,
            updateNorm: misbehave.announce === undefined ? trueNorm : misbehave.announce(trueNorm),
          }),
        }),
      );
      if (pending.task.awaitUploadGrant && !misbehave.ignoreGrant)
        awaitingGrant.set(pending.task.taskId, out.chunks);
      else send(out.chunks);
      pending = undefined;
    }
  });
  const hello = create(HelloSchema, {
    protocolVersion: PROTOCOL_VERSION,
    siteId,
    token,
    organs: ["kidney"],
    numTrainingCases: 1n,
  });
  stream.write(siteMessage({ case: "hello", value: hello }));
  return new Promise((resolve) => {
    stream.on("error", () => resolve());
    stream.on("end", () => resolve());
    stream.on("close", () => {
      client.close();
      resolve();
    });
  });
}

/** A Join stream opened by hand, for scripted clients; `ended` says how the coordinator ended it. */
export function openJoin(address: string) {
  const client = new FederationClientConstructor(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
  const stream = client.join();
  const messages: CoordinatorMessage[] = [];
  stream.on("data", (m: CoordinatorMessage) => messages.push(m));
  const ended = new Promise<{ code: number; details: string }>((resolve) => {
    stream.on("error", (e: grpc.ServiceError) => resolve({ code: e.code, details: e.details }));
    stream.on("end", () => resolve({ code: grpc.status.OK, details: "" }));
  });
  const hello = (siteId: string, token: string) =>
    stream.write(
      siteMessage({
        case: "hello",
        value: create(HelloSchema, {
          protocolVersion: PROTOCOL_VERSION,
          siteId,
          token,
          organs: ["kidney"],
          numTrainingCases: 1n,
        }),
      }),
    );
  return { client, stream, messages, ended, hello, close: () => client.close() };
}

/**
 * An authenticated site that answers its first training task with a result announcing
 * `declaredBytes` of weights (and sends none): the coordinator must refuse it from the header.
 */
export function runOversizeSite(address: string, siteId: string, token: string, extraBytes: number) {
  const join = openJoin(address);
  join.stream.on("data", (m: CoordinatorMessage) => {
    if (m.body.case !== "task" || m.body.value.weights === undefined) return;
    const task = m.body.value;
    const info = {
      ...task.weights!,
      payloadId: `${task.taskId}-big`,
      totalBytes: task.weights!.totalBytes + BigInt(extraBytes),
    };
    join.stream.write(
      siteMessage({
        case: "result",
        value: create(TaskResultSchema, {
          taskId: task.taskId,
          round: task.round,
          ok: true,
          numExamples: 1n,
          weights: info,
        }),
      }),
    );
  });
  join.hello(siteId, token);
  return join;
}
