/** Runs async jobs one at a time in call order: the arbiter is a state machine fed by one queue. */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(job, job);
    this.#tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every job queued so far has finished. */
  async idle(): Promise<void> {
    await this.#tail;
  }
}
