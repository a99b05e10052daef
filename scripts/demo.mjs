#!/usr/bin/env node
// npm run demo: a legacy user signs in to a Cognito user pool with the password
// they already had. Everything runs on this machine: PostgreSQL (embedded unless
// DATABASE_URL is set), the built function behind a local Lambda Invoke API, and
// cognito-local as the user pool. Every process is stopped at the end, on Ctrl-C
// and on failure.
import {
  AdminGetUserCommand, AdminListGroupsForUserCommand, AdminUpdateUserAttributesCommand, InitiateAuthCommand, ListUsersCommand, SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { printableAttributes } from '../dist/lib/src/link-proof.js';
import { FUNCTION_NAME, startLocalStack } from './lib/stack.mjs';
import { DEMO_USERS } from './lib/seed.mjs';

const tty = process.stdout.isTTY;
const paint = (code) => (text) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
const bold = paint('1');
const dim = paint('2');
const green = paint('32');
const red = paint('31');

let stack;
let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  if (stack) {
    console.log(dim('\nStopping PostgreSQL, the Lambda server and cognito-local…'));
    await stack.stop();
  }
  process.exit(code);
}
process.on('SIGINT', () => shutdown(130));
process.on('SIGTERM', () => shutdown(143));
// A closed pipe (demo | head) must still stop everything.
process.stdout.on('error', () => shutdown(1));

const showLogs = !process.argv.includes('--quiet');
function functionLog(line) {
  if (!showLogs) return;
  try {
    const r = JSON.parse(line);
    if (r.message) {
      const fields = ['outcome', 'triggerSource', 'durationMs', 'code', 'error'].filter((k) => r[k] !== undefined).map((k) => `${k}=${r[k]}`);
      console.log(dim(`    λ ${r.level} ${r.message} ${fields.join(' ')}`));
    }
  } catch {
    // EMF metric lines and other non-JSON output are not shown.
  }
}

async function signIn(label, username, password) {
  process.stdout.write(`\n${bold(label)}\n  InitiateAuth USER_PASSWORD_AUTH as ${username}\n`);
  try {
    const out = await stack.idp.send(new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH', ClientId: stack.clientId, AuthParameters: { USERNAME: username, PASSWORD: password },
    }));
    const token = out.AuthenticationResult?.IdToken;
    console.log(green(`  ✔ signed in: ID token ${token ? `${token.slice(0, 24)}…` : '(none)'}`));
    return true;
  } catch (err) {
    console.log(red(`  ✘ ${err.name}: ${err.message}`));
    return false;
  }
}

async function main() {
  console.log(bold('cognito-migrate demo'));
  console.log(dim(process.env.DATABASE_URL ? 'Using PostgreSQL at DATABASE_URL (schema cognito_migrate_demo).' : 'Starting embedded PostgreSQL…'));
  stack = await startLocalStack({ schema: 'cognito_migrate_demo', completion: true, signUpGuard: true, onLog: functionLog });
  const [alice, bob] = DEMO_USERS;
  console.log(`PostgreSQL ready; legacy table ${stack.table} holds ${DEMO_USERS.length} users with bcrypt (cost 10) hashes.`);
  console.log(`Local Lambda Invoke API at ${stack.lambda.url} serves dist/postgres/index.mjs as "${FUNCTION_NAME}".`);
  console.log(`cognito-local at ${stack.cognito.endpoint}: pool ${stack.userPoolId}, app client ${stack.clientId} (ALLOW_USER_PASSWORD_AUTH), UserMigration, Post authentication, Post confirmation and Pre sign-up → ${FUNCTION_NAME}.`);
  console.log('The legacy rows carry roles (alice: ROLE_ADMIN); GROUP_MAP maps them to the pool\'s groups; cognito_sub is the ledger.');

  const results = [];
  results.push(!(await signIn('1. Wrong password is rejected', alice.email, 'not-the-password')));
  results.push(!(await signIn('2. Unknown user is rejected (same answer, same cost)', 'nobody@example.com', 'whatever')));
  results.push(!(await signIn('3. Disabled legacy account is rejected', bob.email, bob.password)));
  results.push(await signIn('4. Right password: the user is migrated', alice.email, alice.password));

  const user = await stack.idp.send(new AdminGetUserCommand({ UserPoolId: stack.userPoolId, Username: alice.email }));
  console.log(`  In the pool now: status ${bold(user.UserStatus)}, attributes:`);
  const shown = printableAttributes(Object.fromEntries((user.UserAttributes ?? []).map((a) => [a.Name, a.Value])));
  for (const [name, value] of Object.entries(shown)) console.log(`    ${name.padEnd(22)} ${value}`);
  results.push(user.UserStatus === 'CONFIRMED');

  const sub = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
  const db = new pg.Client(stack.db.url);
  await db.connect();
  const [row] = (await db.query(`SELECT cognito_sub, cognito_linked_at FROM ${stack.table} WHERE username = $1`, [alice.username])).rows;
  const groups = (await stack.idp.send(new AdminListGroupsForUserCommand({ UserPoolId: stack.userPoolId, Username: user.Username }))).Groups ?? [];
  console.log(`  Completed by Post authentication: the legacy row's cognito_sub is ${row?.cognito_sub === sub ? green('the new user\'s sub') : red(String(row?.cognito_sub))}, groups: ${groups.map((g) => g.GroupName).join(', ') || 'none'}`);
  results.push(row?.cognito_sub === sub && groups.some((g) => g.GroupName === 'admins'));

  const before = stack.lambda.stats.invocations;
  results.push(await signIn('5. Second sign-in: Cognito checks the password itself; Post authentication has nothing left to do', alice.email, alice.password));
  const triggered = stack.lambda.stats.invocations - before;
  console.log(`  Invocations during this sign-in: ${triggered} (Post authentication, which called neither the store nor Cognito)`);
  results.push(triggered === 1);

  await stack.idp.send(new AdminUpdateUserAttributesCommand({ UserPoolId: stack.userPoolId, Username: user.Username, UserAttributes: [{ Name: 'email', Value: 'alice.new@example.com' }] }));
  results.push(!(await signIn('6. After an email change, the old email and the legacy password create no second account', alice.email, alice.password)));
  const users = (await stack.idp.send(new ListUsersCommand({ UserPoolId: stack.userPoolId }))).Users ?? [];
  console.log(`  Users in the pool: ${users.length}`);
  results.push(users.length === 1);
  await db.end();

  console.log(`\n${bold('7. ForgotPassword path')} ${dim('(cognito-local has no ForgotPassword migration; the trigger is invoked directly)')}`);
  const event = JSON.parse(await readFile(new URL('../events/forgot-password.json', import.meta.url), 'utf8'));
  event.userName = 'carol@example.com';
  event.userPoolId = stack.userPoolId;
  event.callerContext.clientId = stack.clientId;
  const res = await fetch(`${stack.lambda.url}/2015-03-31/functions/${FUNCTION_NAME}/invocations`, { method: 'POST', body: JSON.stringify(event) });
  const body = await res.json();
  if (res.headers.get('x-amz-function-error')) {
    console.log(red(`  ✘ ${body.errorMessage}`));
    results.push(false);
  } else {
    console.log(green(`  ✔ carol found; Cognito would create her and send a reset code. Response:`));
    console.log(`    ${JSON.stringify({ ...body.response, userAttributes: printableAttributes(body.response.userAttributes ?? {}) })}`);
    results.push(body.response.finalUserStatus == null);
  }

  console.log(`\n${bold('8. A sign-up with the email of a legacy user who has not migrated yet is refused')} ${dim('(Pre sign-up: nobody can take carol\'s login before she signs in)')}`);
  const [, , carol] = DEMO_USERS;
  try {
    await stack.idp.send(new SignUpCommand({ ClientId: stack.clientId, Username: carol.email.toUpperCase(), Password: 'Squatter-pass-1', UserAttributes: [{ Name: 'email', Value: carol.email.toUpperCase() }] }));
    console.log(red('  ✘ the sign-up went through'));
    results.push(false);
  } catch (err) {
    const guarded = /An account already exists for this username or email/.test(err.message);
    console.log(guarded ? green(`  ✔ refused: ${err.message}`) : red(`  ✘ ${err.name}: ${err.message}`));
    results.push(guarded);
  }
  results.push(await signIn('   …and carol still migrates with her legacy password', carol.email, carol.password));

  const failed = results.filter((ok) => !ok).length;
  console.log(failed === 0 ? green(bold('\nAll demo steps behaved as expected.')) : red(bold(`\n${failed} demo step(s) did not behave as expected.`)));
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => shutdown(code),
  (err) => {
    console.error(red(`\nDemo failed: ${err?.stack ?? err}`));
    return shutdown(1);
  },
);
