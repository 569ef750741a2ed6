// A min-heap of (due time, key) pairs: the dispatcher's schedule of group flushes. Entries are
// never updated in place; stale ones are skipped when popped (the owner checks its own record).

interface Entry {
  readonly at: number;
  readonly key: string;
}

export class TimerHeap {
  readonly #items: Entry[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(at: number, key: string): void {
    const items = this.#items;
    items.push({ at, key });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.at <= items[i]!.at) break;
      [items[parent], items[i]] = [items[i]!, items[parent]!];
      i = parent;
    }
  }

  /** The earliest due time, or undefined when empty. */
  peek(): number | undefined {
    return this.#items[0]?.at;
  }

  /** Removes and returns the earliest entry. */
  pop(): Entry | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined) return undefined;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let min = i;
        if (l < items.length && items[l]!.at < items[min]!.at) min = l;
        if (r < items.length && items[r]!.at < items[min]!.at) min = r;
        if (min === i) break;
        [items[min], items[i]] = [items[i]!, items[min]!];
        i = min;
      }
    }
    return top;
  }
}
