// The outage scenario every database adapter goes through: a sign-in works,
// the server stops, two sign-ins answer the retriable text within the deadline
// (never "wrong password"), the server comes back, and sign-ins work again.
import { expect } from 'vitest';
import { PUBLIC_MESSAGES } from '../../src/index.js';
import { lambdaContext, migrationEvent } from './fakes.js';

/** Runs the scenario for user "ada" / "pw-ada" against a handler with a 1,500 ms budget. */
export async function expectOutageAndRecovery(
  handler: ((event: ReturnType<typeof migrationEvent>, context: ReturnType<typeof lambdaContext>) => Promise<{ response: { finalUserStatus?: string } }>) & { close(): Promise<void> },
  server: { halt?: () => Promise<void>; resume?: () => Promise<void> },
  counts: Map<string, number>,
): Promise<void> {
  expect((await handler(migrationEvent('ada', 'pw-ada'), lambdaContext())).response.finalUserStatus).toBe('CONFIRMED');
  await server.halt!();
  for (let i = 0; i < 2; i++) {
    const started = Date.now();
    await expect(handler(migrationEvent('ada', 'pw-ada'), lambdaContext())).rejects.toThrow(PUBLIC_MESSAGES.unavailable);
    expect(Date.now() - started).toBeLessThan(2500);
  }
  await server.resume!();
  expect((await handler(migrationEvent('ada', 'pw-ada'), lambdaContext())).response.finalUserStatus).toBe('CONFIRMED');
  expect(counts.get('wrong_password')).toBeUndefined();
  await handler.close();
}
