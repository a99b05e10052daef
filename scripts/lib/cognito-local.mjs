// Starts cognito-local (a real Cognito API emulator) in its own temp working
// directory, with its Lambda client pointed at a local Invoke API and the
// UserMigration trigger wired to a function name served there.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './postgres.mjs';

const CHILD = fileURLToPath(new URL('./cognito-local-child.cjs', import.meta.url));

/**
 * @param {{ lambdaEndpoint: string, userMigration?: string, completion?: string, preSignUp?: string, userPoolDefaults?: object, port?: number, log?: (line: string) => void }} options
 *   `completion` names the function cognito-local calls as Post authentication and Post confirmation trigger,
 *   `preSignUp` the one it calls as Pre sign-up (on SignUp only);
 *   `port` is one chosen beforehand (a function that calls the emulator needs its address before it starts)
 * @returns {Promise<{ endpoint: string, dir: string, stop: () => Promise<void> }>}
 * @example
 * const cognito = await startCognitoLocal({ lambdaEndpoint: lambda.url, userMigration: 'migrate' })
 * new CognitoIdentityProviderClient({ endpoint: cognito.endpoint, region: 'local', credentials })
 */
export async function startCognitoLocal({ lambdaEndpoint, userMigration, completion, preSignUp, userPoolDefaults, port: chosen, log = () => {} }) {
  const dir = await mkdtemp(join(tmpdir(), 'cognito-migrate-idp-'));
  await mkdir(join(dir, '.cognito'), { recursive: true });
  await writeFile(join(dir, '.cognito', 'config.json'), JSON.stringify({
    LambdaClient: { endpoint: lambdaEndpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
    TriggerFunctions: {
      ...(userMigration ? { UserMigration: userMigration } : {}),
      ...(completion ? { PostAuthentication: completion, PostConfirmation: completion } : {}),
      ...(preSignUp ? { PreSignUp: preSignUp } : {}),
    },
    // The emulator's default makes every new pool sign in by email; pools that want usernames say so here.
    ...(userPoolDefaults ? { UserPoolDefaults: userPoolDefaults } : {}),
  }, null, 2));
  const port = chosen ?? await freePort();
  const child = spawn(process.execPath, [CHILD], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('cognito-local did not start within 20 s')), 20_000);
    const onData = (chunk) => {
      const text = chunk.toString();
      for (const line of text.split('\n')) if (line.trim()) log(line);
      if (text.includes('Cognito Local running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cognito-local exited with code ${code} before it was ready`));
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    /** The emulator's working directory: its data is in .cognito/db/<pool id>.json. */
    dir,
    async stop() {
      if (child.exitCode === null) child.kill();
      await exited;
      await rm(dir, { recursive: true, force: true }).catch(() => {});
    },
  };
}
