// Waiting between attempts on a flaky line (issue 37): the live list's event stream and the
// offline queue retry after 1 s, then 2, 4, 8 … up to 30 s, each wait drawn at random between
// half and all of it (so that the tabs and computers of an office that lost its line together
// do not all come back in the same second), and at once when the browser says it is online
// again. A success starts the series over.

/** A retry schedule: `wait()` resolves after the next delay (or at `online`), `reset()` after a success. */
export function backoff({ first = 1000, max = 30_000 } = {}) {
  let delay = first;
  return {
    /** The delay the next wait() will draw from, in ms. */
    get delay() { return delay; },
    reset() { delay = first; },
    /** Waits (or until `signal` aborts, or the browser comes back online). */
    wait(signal) {
      const ms = delay / 2 + Math.random() * (delay / 2);
      delay = Math.min(max, delay * 2);
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          removeEventListener("online", done);
          signal?.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        addEventListener("online", done);
        signal?.addEventListener("abort", done);
      });
    },
  };
}
