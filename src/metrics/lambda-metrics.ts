/**
 * The Lambda container's metrics: one EMF recorder per container (created at the first cold start that
 * asks for it), published when each invocation ends, whether it succeeded or threw. The handlers in
 * src/lambda/<function>.ts are wrapped with `withMetrics`.
 */
import { createEmfMetrics, type EmfMetrics, type EmfMetricsOptions } from './emf-metrics';

let container: EmfMetrics | undefined;

/** The container's recorder; the options of the first call are kept (one namespace and service per deployment). */
export function containerMetrics(options: EmfMetricsOptions): EmfMetrics {
  container ??= createEmfMetrics(options);
  return container;
}

/** Runs the handler, then writes the metrics it recorded as EMF lines (also after a throw). */
export function withMetrics<A extends unknown[], R>(handler: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    try {
      return await handler(...args);
    } finally {
      try {
        container?.publish();
      } catch (error) {
        // A metric that cannot be written must not fail the invocation (and with it a webhook or a batch).
        process.stderr.write(`metrics not published: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  };
}
