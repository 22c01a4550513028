/**
 * Work a service starts after it has answered (a mail to queue once the answer is out, so its
 * timing tells nothing): each piece is kept until it settles and then forgotten, so a long-lived
 * server holds only what is still running. `settled()` waits for what runs now (tests, a stop).
 * It replaces a chain of `Promise.all([previous, next])`, which kept every request's promise alive.
 */
export function createAfterAnswer(logError: (error: unknown) => void) {
  const running = new Set<Promise<void>>();
  return {
    run(work: Promise<unknown>) {
      const tracked: Promise<void> = work.then(
        () => undefined,
        (error: unknown) => logError(error),
      );
      running.add(tracked);
      void tracked.finally(() => running.delete(tracked));
    },
    async settled(): Promise<void> {
      await Promise.all([...running]);
    },
    /** How many pieces are still running (bounded by what is in flight, never by what has run). */
    get size() {
      return running.size;
    },
  };
}
export type AfterAnswer = ReturnType<typeof createAfterAnswer>;
