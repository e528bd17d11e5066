/** Fleet events at a simulated second (an instance ready, an engine back), fired in time then call order. */
export class FleetTimers {
  readonly #items: Array<{ atSec: number; seq: number; fn: () => Promise<void> | void }> = [];
  #seq = 0;

  add(atSec: number, fn: () => Promise<void> | void): void {
    const item = { atSec, seq: this.#seq++, fn };
    let i = this.#items.length;
    while (i > 0 && this.#items[i - 1]!.atSec > atSec) i--;
    this.#items.splice(i, 0, item);
  }

  /** Time of the earliest timer; Infinity when none. */
  nextSec(): number {
    return this.#items[0]?.atSec ?? Infinity;
  }

  /** Removes and returns the timers due at or before `tSec`, in order. */
  takeDue(tSec: number): Array<() => Promise<void> | void> {
    let n = 0;
    while (n < this.#items.length && this.#items[n]!.atSec <= tSec) n++;
    return this.#items.splice(0, n).map((i) => i.fn);
  }
}
