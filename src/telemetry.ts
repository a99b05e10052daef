import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { Outcome } from './errors.js';

/**
 * The part of a logger the core uses; Powertools' `Logger` fits it, and so
 * does a test's array-backed fake.
 *
 * @example
 * ```ts
 * const lines: unknown[] = []
 * const logger: MigrationLogger = { info: (m, x) => lines.push([m, x]), warn: …, error: …, debug: … }
 * ```
 */
export interface MigrationLogger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
  /** Adds the Lambda request id and function name to later records. */
  addContext?(context: Context): void;
}

/**
 * Counts one outcome per invocation.
 *
 * @example
 * ```ts
 * const counts = new Map<string, number>()
 * const metrics: MigrationMetrics = { count: (o) => counts.set(o, (counts.get(o) ?? 0) + 1) }
 * ```
 */
export interface MigrationMetrics {
  count(outcome: Outcome): void;
}

/**
 * The default logger: Powertools, JSON, service `cognito-migrate` unless
 * `POWERTOOLS_SERVICE_NAME` says otherwise.
 *
 * @example
 * ```ts
 * const logger = createDefaultLogger()
 * ```
 */
export function createDefaultLogger(): MigrationLogger {
  const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'cognito-migrate' });
  return {
    debug: (m, x) => logger.debug(m, x ?? {}),
    info: (m, x) => logger.info(m, x ?? {}),
    warn: (m, x) => logger.warn(m, x ?? {}),
    error: (m, x) => logger.error(m, x ?? {}),
    addContext: (c) => logger.addContext(c),
  };
}

/**
 * The default metrics: one CloudWatch EMF count per outcome (metric name =
 * outcome, namespace `CognitoMigrate`), published at once so nothing is lost
 * when the instance is frozen. `POWERTOOLS_METRICS_DISABLED=true` silences it.
 *
 * @example
 * ```ts
 * createDefaultMetrics().count('migrated')
 * ```
 */
export function createDefaultMetrics(): MigrationMetrics {
  const metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'CognitoMigrate',
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'cognito-migrate',
  });
  return {
    count(outcome) {
      metrics.addMetric(outcome, MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    },
  };
}
