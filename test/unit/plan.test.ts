// `cognito-migrate plan` and the README's cost table (issue 34): the table is
// the command's own output, and the figures are the commands' call counts.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../scripts/cli/command.js';
import { plan, planMarkdown, planSteps } from '../../scripts/plan/index.js';
import { QUOTAS, byCategory, seconds, touchCalls } from '../../scripts/plan/quotas.js';

describe('plan', () => {
  it('the README\'s cost table is plan --markdown for 1M and 10M users', async () => {
    const readme = await readFile(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const table = /<!-- plan:begin -->\n([\s\S]*?)<!-- plan:end -->/.exec(readme)?.[1];
    expect(table).toBe(planMarkdown([1_000_000, 10_000_000]));
  });

  it('complete lists 10 million users in under 3 hours at the default quotas, and bills nobody; --touch bills everyone', () => {
    const steps = Object.fromEntries(planSteps({ users: 10_000_000 }).map((s) => [s.step, s]));
    expect(byCategory(steps.complete!.calls)).toEqual({ UserList: 16 * Math.ceil(10_000_000 / 16 / 60) });
    expect(steps.complete!.billedUsers).toBe(0);
    expect(steps.complete!.hours!.atDefaultQuotas).toBeLessThan(3);
    expect(steps.complete!.hours!.atRates).toBeLessThan(3);
    // The eager path: the mark and one group a user, at UserUpdate's 25 a second: over nine days.
    expect(steps['complete --touch']!.calls).toMatchObject({ AdminUpdateUserAttributes: 10_000_000, AdminAddUserToGroup: 10_000_000 });
    expect(steps['complete --touch']!.billedUsers).toBe(10_000_000);
    expect(steps['complete --touch']!.hours!.atDefaultQuotas).toBeCloseTo(20_000_000 / QUOTAS.UserUpdate / 3600, 5);
    expect(touchCalls(3)).toEqual({ AdminAddUserToGroup: 3, AdminUpdateUserAttributes: 1 });
    // Categories run side by side: the slowest one sets the time.
    expect(seconds({ ListUsers: 300, AdminAddUserToGroup: 50 })).toBe(10);
  });

  it('the command prints the steps, JSON on request, and names a missing --users', async () => {
    let out = '';
    expect(await plan(['--users', '1000000', '--groups-per-user', '2'], (t) => { out += t; })).toBe(0);
    expect(out).toMatch(/complete --touch\s+16,672 UserList, 3,000,000 UserUpdate; 1,000,000 billed users/);
    out = '';
    await plan(['--users', '600', '--json'], (t) => { out += t; });
    expect(JSON.parse(out).steps.find((s: { step: string }) => s.step === 'complete')).toMatchObject({ billedUsers: 0, byCategory: { UserList: 16 } });
    await expect(plan([], () => {})).rejects.toThrow(UsageError);
    await expect(plan(['--users', '10', '--chains', '3'], () => {})).rejects.toThrow(/--chains must be 1, 16 or 256/);
  });
});
