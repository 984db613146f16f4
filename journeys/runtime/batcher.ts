/**
 * Coalesces calls made by many instances stepping concurrently into one load per round, so a batch
 * of N instances costs a fixed number of queries instead of N query chains (the DataLoader idea).
 * A round is flushed once the event loop has run every pending continuation (setImmediate), and
 * rounds never overlap: the gateway decides one round completely before the next sees its effects,
 * which keeps frequency caps exact inside one transaction.
 */
export class Batcher<K, V> {
  private queue: Array<{ key: K; resolve: (value: V) => void; reject: (error: unknown) => void }> = [];
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly load: (keys: readonly K[]) => Promise<readonly V[]>) {}

  get(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      this.queue.push({ key, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          const round = this.queue.splice(0);
          this.chain = this.chain.then(() => this.run(round));
        });
      }
    });
  }

  private async run(round: Array<{ key: K; resolve: (value: V) => void; reject: (error: unknown) => void }>) {
    if (round.length === 0) return;
    try {
      const values = await this.load(round.map((item) => item.key));
      for (const [index, item] of round.entries()) item.resolve(values[index] as V);
    } catch (error) {
      for (const item of round) item.reject(error);
    }
  }
}
