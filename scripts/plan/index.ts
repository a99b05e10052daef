// `cognito-migrate plan --users N`: what each bulk step costs before it runs,
// in Cognito's terms: calls per user by quota category, the users it makes
// billed monthly active users, and the time at the default quotas. Every
// figure comes from the call counts the commands themselves use
// (scripts/plan/quotas.ts), not from prose; the README's cost table is this
// command's --markdown output for 1M and 10M users, and a test keeps the two
// the same.
import { type Command, EXIT, type Io, UsageError, integerOption, parse } from '../cli/command.js';
import { type CallCounts, PAGE_SIZE, QUOTAS, type QuotaCategory, addCalls, byCategory, seconds, touchCalls } from './quotas.js';

const USAGE = `Usage: cognito-migrate plan --users N [--groups-per-user G] [--chains 1|16|256] [--rate N] [--write-rate N] [--json | --markdown]

Prints what each bulk step costs for N users before anything runs: Cognito
calls by quota category, the users each step makes billed monthly active users
(MAU) this month, and the time at the default quotas (developer guide,
"Quotas in Amazon Cognito": UserList 30 and UserUpdate 25 requests a second
for the account, neither adjustable, shared with the app). G is the groups a
user's legacy roles map to (default 1). --rate and --write-rate are the rates
complete would run at (defaults 20 and 10).`;

/** One bulk step's cost. */
export interface StepCost {
  step: string;
  /** Calls for all the users, by operation. */
  calls: CallCounts;
  /** Users the step makes billed monthly active users this month. */
  billedUsers: number;
  /** Hours at the default quotas, and at the rates given (undefined: not bound by a quota). */
  hours?: { atDefaultQuotas: number; atRates: number };
  note: string;
}

/**
 * Each bulk step's cost for `users` users.
 * @example planSteps({ users: 10_000_000 }).find((s) => s.step === 'complete').hours.atDefaultQuotas // ≈ 1.5
 */
export function planSteps(o: { users: number; groupsPerUser?: number; chains?: 1 | 16 | 256; rate?: number; writeRate?: number }): StepCost[] {
  const chains = o.chains ?? 16;
  const g = o.groupsPerUser ?? 1;
  const rates: Partial<Record<QuotaCategory, number>> = { UserList: o.rate ?? 20, UserUpdate: o.writeRate ?? 10 };
  // Each chain pages its share of the pool 60 at a time.
  const list: CallCounts = { ListUsers: chains * Math.max(1, Math.ceil(o.users / chains / PAGE_SIZE)) };
  const touch = addCalls({ ...list }, Object.fromEntries(Object.entries(touchCalls(g)).map(([op, n]) => [op, n * o.users])));
  const timed = (calls: CallCounts) => ({ atDefaultQuotas: seconds(calls) / 3600, atRates: seconds(calls, rates) / 3600 });
  return [
    { step: 'csv export', calls: {}, billedUsers: 0, note: 'reads the legacy database only' },
    { step: 'import', calls: {}, billedUsers: 0, note: `a few job calls per file of 500,000 users; Cognito's job time, not a quota, sets the pace` },
    { step: 'complete', calls: list, billedUsers: 0, hours: timed(list), note: 'subs written back page by page; groups and the mark at each first sign-in' },
    { step: 'complete --touch', calls: touch, billedUsers: o.users, hours: timed(touch), note: 'every user completed now' },
    { step: 'status (with the ledger)', calls: {}, billedUsers: 0, note: 'reads the legacy database only' },
  ];
}

const n = (x: number) => Math.round(x).toLocaleString('en');
const h = (x: number) => (x < 0.1 ? x.toFixed(2) : x.toFixed(1));
const perUser = (calls: CallCounts, users: number) => {
  const cats = Object.entries(byCategory(calls)) as Array<[QuotaCategory, number]>;
  return cats.length ? cats.map(([c, k]) => `${Number((k / users).toPrecision(3))} ${c}`).join(' + ') : 'none';
};

/**
 * The cost table in Markdown, one row per step and user count, as the README has it.
 * @example planMarkdown([1_000_000, 10_000_000])
 */
export function planMarkdown(userCounts: number[], o: { groupsPerUser?: number } = {}): string {
  const rows = ['| step | users | Cognito calls per user (quota category) | billed MAUs | hours at the default quotas | hours at complete\'s default rates (20 and 10/s) |', '| --- | ---: | --- | ---: | ---: | ---: |'];
  for (const users of userCounts) {
    for (const s of planSteps({ users, ...o })) {
      rows.push(`| \`${s.step}\` | ${n(users)} | ${perUser(s.calls, users)} | ${n(s.billedUsers)} | ${s.hours ? h(s.hours.atDefaultQuotas) : '–'} | ${s.hours ? h(s.hours.atRates) : '–'} |`);
    }
  }
  return `${rows.join('\n')}\n`;
}

/**
 * `plan`: prints the table.
 * @example process.exitCode = await plan(['--users', '10000000'])
 */
export async function plan(argv: string[], print: (t: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { values } = parse(argv, {
    users: { type: 'string' }, 'groups-per-user': { type: 'string' }, chains: { type: 'string' }, rate: { type: 'string' }, 'write-rate': { type: 'string' },
    json: { type: 'boolean', default: false }, markdown: { type: 'boolean', default: false },
  });
  const users = integerOption('users', values.users, 1, 1_000_000_000);
  if (users === undefined) throw new UsageError('plan needs --users N (the users the bulk path would carry)');
  const groupsPerUser = integerOption('groups-per-user', values['groups-per-user'], 0, 100) ?? 1;
  const chains = (integerOption('chains', values.chains, 1, 256) ?? 16) as 1 | 16 | 256;
  if (![1, 16, 256].includes(chains)) throw new UsageError('--chains must be 1, 16 or 256');
  const rate = integerOption('rate', values.rate, 1, QUOTAS.UserList) ?? 20;
  const writeRate = integerOption('write-rate', values['write-rate'], 1, QUOTAS.UserUpdate) ?? 10;
  const steps = planSteps({ users, groupsPerUser, chains, rate, writeRate });
  if (values.json) print(`${JSON.stringify({ users, groupsPerUser, chains, rate, writeRate, quotas: QUOTAS, steps: steps.map((s) => ({ ...s, byCategory: byCategory(s.calls) })) }, null, 2)}\n`);
  else if (values.markdown) print(planMarkdown([users], { groupsPerUser }));
  else {
    print(`Cost of the bulk path for ${n(users)} users (${groupsPerUser} group${groupsPerUser === 1 ? '' : 's'} each), at the default quotas and at --rate ${rate} / --write-rate ${writeRate}:\n`);
    for (const s of steps) {
      const calls = Object.entries(byCategory(s.calls)).map(([c, k]) => `${n(k)} ${c}`).join(', ') || 'no Cognito call';
      print(`  ${s.step.padEnd(25)} ${calls}; ${n(s.billedUsers)} billed users${s.hours ? `; ${h(s.hours.atDefaultQuotas)} h at the quotas, ${h(s.hours.atRates)} h at these rates` : ''}\n    ${s.note}\n`);
    }
  }
  return EXIT.ok;
}

/** `cognito-migrate plan`. */
export const command: Command = { name: 'plan', summary: 'What each bulk step costs for N users: calls by quota category, billed users, hours', usage: USAGE, run: (argv: string[], io: Io) => plan(argv, io.out) };
