// A coordinator's stop request, as a flag for loops to check between steps and as a promise that
// cuts short a wait for sites.

export class StopSignal {
  stopped = false;
  /** Resolves false (what a wait for sites that gave up resolves) once stop is requested. */
  readonly requested: Promise<false>;
  private resolveRequested: () => void = () => {};

  constructor() {
    this.requested = new Promise<false>((resolve) => {
      this.resolveRequested = () => resolve(false);
    });
  }

  request(): void {
    this.stopped = true;
    this.resolveRequested();
  }
}
