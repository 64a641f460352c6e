// One task's answer on the site's stream: the TaskResult, then the weights it carries in chunks
// (once the coordinator grants the upload, when the task asks the site to wait for a grant).

import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { injectedJitter } from "../../util/injected-jitter.js";
import { type Task, TaskResultSchema } from "../protocol/generated/segviz/federation/v1/federation_pb.js";
import { preparePayload } from "../protocol/payload.js";
import { type JoinClientStream, siteMessage, wireSize } from "../protocol/service.js";
import { writeWithBackpressure } from "../protocol/stream-writer.js";
import { encodeWeightSet, type WeightSet } from "../weights/weight-set.js";

export class TaskResultWriter {
  /** Bytes written so far, as counted on the wire. */
  bytesOut = 0;

  constructor(
    private readonly stream: JoinClientStream,
    private readonly task: Task,
    /** When the site began serving the task (performance clock); the result reports the time since. */
    private readonly startedAt: number,
    private readonly chunkBytes?: number,
    /** Whether the coordinator grants this task's upload (tasks that ask for a grant). */
    private readonly uploadGranted: (taskId: string) => Promise<boolean> = async () => true,
  ) {}

  async send(result: MessageInitShape<typeof TaskResultSchema>, weights?: WeightSet): Promise<void> {
    const task = this.task;
    await injectedJitter();
    const out =
      weights === undefined
        ? undefined
        : preparePayload(encodeWeightSet(weights), `${task.taskId}-result`, this.chunkBytes);
    const header = siteMessage({
      case: "result",
      value: create(TaskResultSchema, {
        ...result,
        taskId: task.taskId,
        round: task.round,
        weights: out?.info,
        durationMs: performance.now() - this.startedAt,
      }),
    });
    // Waiting starts before the header leaves, so a quick grant cannot arrive unexpected.
    const granted = out !== undefined && task.awaitUploadGrant ? this.uploadGranted(task.taskId) : undefined;
    granted?.catch(() => {}); // awaited below; a failed header write must not leave it unhandled
    await writeWithBackpressure(this.stream, header);
    this.bytesOut += wireSize(header);
    // Refused (the coordinator logged why, and so does the session): the weights stay here.
    if (granted !== undefined && !(await granted)) return;
    for (const chunk of out?.chunks ?? []) {
      const m = siteMessage({ case: "chunk", value: chunk });
      await writeWithBackpressure(this.stream, m);
      this.bytesOut += wireSize(m);
    }
  }
}
