/**
 * Wraps a background job so that a call made while the previous run is still going is skipped
 * (a scheduler tick never overlaps itself), and a failure is reported to `onError` instead of
 * rejecting (interval callbacks have no one to catch it).
 */
export function skipWhileRunning(
  job: () => Promise<unknown>,
  onError: (e: Error) => void,
): () => Promise<void> {
  let running = false;
  return async () => {
    if (running) return;
    running = true;
    try {
      await job();
    } catch (e) {
      onError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      running = false;
    }
  };
}
