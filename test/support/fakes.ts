import type { Context, UserMigrationTriggerEvent } from 'aws-lambda';
import type { MigrationLogger, MigrationMetrics } from '../../src/index.js';
import { linkProof } from '../../src/link-proof.js';

/** A logger that keeps every record, so tests can read and search them. */
export function captureLogger() {
  const records: Array<{ level: string; message: string; extra: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, extra: Record<string, unknown> = {}) => records.push({ level, message, extra });
  const logger: MigrationLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, records, text: () => JSON.stringify(records) };
}

/** Metrics that count outcomes in a map. */
export function countMetrics() {
  const counts = new Map<string, number>();
  const metrics: MigrationMetrics = { count: (o) => counts.set(o, (counts.get(o) ?? 0) + 1) };
  return { metrics, counts };
}

/** A UserMigration event as Cognito sends it. */
export function migrationEvent(
  userName: string,
  password: string | undefined,
  triggerSource: UserMigrationTriggerEvent['triggerSource'] = password === undefined ? 'UserMigration_ForgotPassword' : 'UserMigration_Authentication',
): UserMigrationTriggerEvent {
  return {
    version: '1',
    triggerSource,
    region: 'eu-west-1',
    userPoolId: 'eu-west-1_TEST',
    userName,
    callerContext: { awsSdkVersion: 'test', clientId: 'client123' },
    request: password === undefined ? ({} as { password: string }) : { password },
    response: { userAttributes: {}, desiredDeliveryMediums: [] },
  } as UserMigrationTriggerEvent;
}

/** A Lambda context with `ms` milliseconds left. */
export function lambdaContext(ms = 5000): Partial<Context> {
  const end = Date.now() + ms;
  return { awsRequestId: 'req-1', functionName: 'test', getRemainingTimeInMillis: () => end - Date.now() };
}

/**
 * The link key of the unit tests and of the sample events in events/ (their
 * `custom:legacy_proof` is made with it): `LINK_KEY` for `sam local invoke -e`.
 */
export const TEST_LINK_KEY = 'sample-link-key-for-tests-and-sam-local-only';

/** The link proof of `legacyId` in `userPoolId` under {@link TEST_LINK_KEY}, as the migration sets it. */
export function testProof(legacyId: string, userPoolId = 'eu-west-1_TEST'): string {
  return linkProof(TEST_LINK_KEY, userPoolId, legacyId);
}
