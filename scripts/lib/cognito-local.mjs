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
 * @param {{ lambdaEndpoint: string, userMigration?: string, userPoolDefaults?: object, log?: (line: string) => void }} options
 * @returns {Promise<{ endpoint: string, stop: () => Promise<void> }>}
 * @example
 * const cognito = await startCognitoLocal({ lambdaEndpoint: lambda.url, userMigration: 'migrate' })
 * new CognitoIdentityProviderClient({ endpoint: cognito.endpoint, region: 'local', credentials })
 */
export async function startCognitoLocal({ lambdaEndpoint, userMigration, userPoolDefaults, log = () => {} }) {
  const dir = await mkdtemp(join(tmpdir(), 'cognito-migrate-idp-'));
  await mkdir(join(dir, '.cognito'), { recursive: true });
  await writeFile(join(dir, '.cognito', 'config.json'), JSON.stringify({
    LambdaClient: { endpoint: lambdaEndpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
    TriggerFunctions: userMigration ? { UserMigration: userMigration } : {},
    // The emulator's default makes every new pool sign in by email; pools that want usernames say so here.
    ...(userPoolDefaults ? { UserPoolDefaults: userPoolDefaults } : {}),
  }, null, 2));
  const port = await freePort();
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
    async stop() {
      if (child.exitCode === null) child.kill();
      await exited;
      await rm(dir, { recursive: true, force: true }).catch(() => {});
    },
  };
}
