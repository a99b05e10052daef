// doctor --manifest: users imported with their hash must first sign in with
// USER_PASSWORD_AUTH or ADMIN_USER_PASSWORD_AUTH, never SRP (REFERENCE.md §1),
// so every app client they may use has to allow one of those flows.
import { type CheckResult, fail, pass, warn } from '../../src/checks.js';
import { readManifestFiles } from '../csv/manifest.js';
import { type Json, type Template, branches } from './template.js';

/** An app client and the auth flows it allows. */
export interface ClientFlows {
  name: string;
  flows: string[];
}

/**
 * How many users an export manifest put in with their hash.
 *
 * @example
 * ```ts
 * await hashedUsers('import/manifest.json') // 41200
 * ```
 */
export async function hashedUsers(path: string): Promise<number> {
  return (await readManifestFiles(path)).filter((f) => f.passwordHashingAlgorithm).reduce((sum, f) => sum + (f.users ?? 0), 0);
}

/**
 * The app clients a template declares, with their flows (both branches of an `Fn::If`).
 *
 * @example
 * ```ts
 * templateClients(template) // [{ name: 'WebClient', flows: ['ALLOW_USER_SRP_AUTH'] }]
 * ```
 */
export function templateClients(template: Template): ClientFlows[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::Cognito::UserPoolClient')
    .map(([name, r]) => ({ name, flows: branches((r.Properties as Record<string, Json> | undefined)?.ExplicitAuthFlows).flatMap((x) => (Array.isArray(x) ? x : [x])).map(String) }));
}

/**
 * Whether the users a manifest imported with their hash can sign in through
 * each app client: one check per client.
 *
 * @example
 * ```ts
 * hashSignInChecks(41200, [{ name: 'web', flows: ['ALLOW_USER_SRP_AUTH'] }]) // [fail 'import.hash-sign-in']
 * ```
 */
export function hashSignInChecks(withHash: number, clients: ClientFlows[]): CheckResult[] {
  const id = 'import.hash-sign-in';
  if (withHash === 0) return [pass(id, 'The manifest has no files with hashes: imported users reset their password, any flow will do')];
  if (clients.length === 0) return [warn(id, `${withHash} users go in with their hash, and no app client was found to check`, 'Give --user-pool-id ID (the target pool), or a template that declares its app clients.')];
  const fix = 'Add ALLOW_USER_PASSWORD_AUTH to the client\'s ExplicitAuthFlows and sign these users in with USER_PASSWORD_AUTH (amazon-cognito-identity-js: setAuthenticationFlowType(\'USER_PASSWORD_AUTH\'); Amplify v6: options.authFlowType) until they have signed in once; after that Cognito has rehashed the password and SRP works.';
  return clients.map(({ name, flows }) => {
    if (flows.includes('ALLOW_USER_PASSWORD_AUTH') || flows.includes('USER_PASSWORD_AUTH')) return pass(id, `App client ${name} allows USER_PASSWORD_AUTH: the ${withHash} users imported with their hash can sign in through it`);
    if (flows.includes('ALLOW_ADMIN_USER_PASSWORD_AUTH') || flows.includes('ADMIN_NO_SRP_AUTH')) {
      return warn(id, `App client ${name} allows only the server-side ADMIN_USER_PASSWORD_AUTH of the password flows: the ${withHash} users imported with their hash sign in through it only from a back end`, fix);
    }
    return fail(id, `App client ${name} allows neither USER_PASSWORD_AUTH nor ADMIN_USER_PASSWORD_AUTH${flows.length ? ` (it allows ${flows.join(', ')})` : ' (SRP only)'}: the ${withHash} users imported with their hash cannot make their first sign-in through it, which must not be SRP`, fix);
  });
}
