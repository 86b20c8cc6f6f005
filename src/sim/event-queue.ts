/**
 * The simulator's future-event list: a binary min-heap on parallel typed arrays (time, tag, generation),
 * so pushing and popping an event allocates nothing. `tag` packs the event kind and its subject
 * (agent, call slot, group …); `generation` lets the engine recognise events made stale by a call slot
 * being reused (lazy cancellation instead of removal).
 */
export class EventQueue {
  private times: Float64Array;
  private tags: Int32Array;
  private generations: Int32Array;
  private count = 0;

  constructor(initialCapacity = 1024) {
    this.times = new Float64Array(initialCapacity);
    this.tags = new Int32Array(initialCapacity);
    this.generations = new Int32Array(initialCapacity);
  }

  get size(): number {
    return this.count;
  }

  /** time of the earliest event (only when size > 0) */
  peekTime(): number {
    return this.times[0];
  }

  push(time: number, tag: number, generation: number): void {
    if (this.count === this.times.length) this.grow();
    const times = this.times;
    const tags = this.tags;
    const generations = this.generations;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent] <= time) break;
      times[i] = times[parent];
      tags[i] = tags[parent];
      generations[i] = generations[parent];
      i = parent;
    }
    times[i] = time;
    tags[i] = tag;
    generations[i] = generation;
  }

  /** Removes the earliest event; read it first with peek*, then call pop(). */
  poppedTag = 0;
  poppedGeneration = 0;
  poppedTime = 0;

  pop(): void {
    const times = this.times;
    const tags = this.tags;
    const generations = this.generations;
    this.poppedTime = times[0];
    this.poppedTag = tags[0];
    this.poppedGeneration = generations[0];
    const n = --this.count;
    if (n === 0) return;
    const time = times[n];
    const tag = tags[n];
    const generation = generations[n];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && times[child + 1] < times[child]) child++;
      if (times[child] >= time) break;
      times[i] = times[child];
      tags[i] = tags[child];
      generations[i] = generations[child];
      i = child;
    }
    times[i] = time;
    tags[i] = tag;
    generations[i] = generation;
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    times.set(this.times);
    const tags = new Int32Array(capacity);
    tags.set(this.tags);
    const generations = new Int32Array(capacity);
    generations.set(this.generations);
    this.times = times;
    this.tags = tags;
    this.generations = generations;
  }
}
