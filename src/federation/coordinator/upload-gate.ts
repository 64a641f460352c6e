// How many sites may upload weights to the coordinator at once. A site announces its result, then
// waits for a grant before sending the chunks; a bounded number of uploads in flight (each folded
// into the round's running mean and released when complete) keeps the coordinator's memory
// O(model) with 64 sites as with 4. Grants go out in the order results were announced, after the
// relative norm screen (when there is one) has let the announced norm through.

import type { RelativeNormScreen } from "../security/relative-norm-screen.js";

export interface UploadRequest {
  siteId: string;
  /** The update norm the site announced with its result. */
  announcedNorm?: number;
  grant(): void;
  /** The upload will not be taken: settles the site's reply as rejected. */
  refuse(reason: string): void;
}

type Entry = { key: object; request: UploadRequest };

export class UploadGate {
  private readonly screened: Entry[] = [];
  private readonly queued: Entry[] = [];
  private readonly holders = new Set<object>();

  constructor(
    readonly slots: number,
    private readonly screen?: RelativeNormScreen,
  ) {
    if (!(Number.isInteger(slots) && slots >= 1))
      throw new Error(`upload gate: slots must be a positive integer, got ${slots}`);
  }

  /** A site announced a result with weights; `key` identifies the upload until released. */
  request(key: object, request: UploadRequest): void {
    if (this.screen === undefined) {
      this.enqueue({ key, request });
      return;
    }
    const norm = request.announcedNorm;
    if (norm === undefined || norm < 0) {
      this.screen.absent(request.siteId);
      request.refuse(
        `result announced no valid update norm (${norm}); the relative update-norm bound needs one`,
      );
      this.review();
      return;
    }
    if (!Number.isFinite(norm)) {
      // Non-finite weights: validation will name the tensor and element; no place in the median.
      this.screen.absent(request.siteId);
      this.enqueue({ key, request });
      this.review();
      return;
    }
    this.screen.announce(request.siteId, norm);
    this.screened.push({ key, request });
    this.review();
  }

  /** A site settled without announcing an upload: the screen stops waiting for its norm. */
  absent(siteId: string): void {
    if (this.screen === undefined) return;
    this.screen.absent(siteId);
    this.review();
  }

  /** The upload is over (complete, refused, abandoned or its site gone): its slot or place is freed. */
  release(key: object): void {
    for (const list of [this.screened, this.queued]) {
      const at = list.findIndex((e) => e.key === key);
      if (at >= 0) {
        list.splice(at, 1);
        return;
      }
    }
    if (this.holders.delete(key)) this.pump();
  }

  /** Uploads granted and not yet released. */
  get inFlight(): number {
    return this.holders.size;
  }

  /** Moves announced uploads the screen has judged on: through to the queue, or refused. */
  private review(): void {
    for (const entry of [...this.screened]) {
      const decision = this.screen!.decide(entry.request.announcedNorm!);
      if (decision.kind === "wait") continue;
      this.screened.splice(this.screened.indexOf(entry), 1);
      if (decision.kind === "reject") entry.request.refuse(decision.reason);
      else this.enqueue(entry);
    }
  }

  private enqueue(entry: Entry): void {
    this.queued.push(entry);
    this.pump();
  }

  private pump(): void {
    while (this.holders.size < this.slots && this.queued.length > 0) {
      const next = this.queued.shift()!;
      this.holders.add(next.key);
      next.request.grant();
    }
  }
}
