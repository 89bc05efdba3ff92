// Everything the bench starts registers how to stop it here, so a normal end, a failure, Ctrl-C or
// the time budget all stop the same processes (the test bed runs them in their own process groups,
// which a terminal's Ctrl-C does not reach).
export class Cleanup {
  private readonly fns: { what: string; fn: () => Promise<unknown> }[] = [];

  /** Registers a stop function; the returned function runs it now (once) and unregisters it. */
  add(what: string, fn: () => Promise<unknown>): () => Promise<void> {
    const entry = { what, fn };
    this.fns.push(entry);
    return async () => {
      const i = this.fns.indexOf(entry);
      if (i < 0) return;
      this.fns.splice(i, 1);
      await fn();
    };
  }

  /** Runs every registered stop function, last registered first; errors are printed, not thrown. */
  async runAll(): Promise<void> {
    while (this.fns.length > 0) {
      const { what, fn } = this.fns.pop()!;
      try {
        await fn();
      } catch (err) {
        console.error(`cleanup: stopping ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
