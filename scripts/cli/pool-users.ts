// The users of a pool, read once through ListUsers: for csv export --skip-existing and status.
import { type CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';

/** What one pass over a pool's users gives. */
export interface PoolUsers {
  /** Usernames, and the values of the alias attributes asked for. */
  names: Set<string>;
  byStatus: Record<string, number>;
  total: number;
}

/**
 * Pages through ListUsers once, keeping usernames, the given alias attributes and counts by status.
 *
 * @example
 * ```ts
 * const { names } = await readPoolUsers(cognito, 'eu-west-1_Abc', ['email'])
 * ```
 */
export async function readPoolUsers(cognito: Pick<CognitoIdentityProviderClient, 'send'>, userPoolId: string, aliases: readonly string[]): Promise<PoolUsers> {
  const names = new Set<string>();
  const byStatus: Record<string, number> = {};
  let total = 0;
  let token: string | undefined;
  do {
    const page = await cognito.send(new ListUsersCommand({ UserPoolId: userPoolId, Limit: 60, ...(token ? { PaginationToken: token } : {}) }));
    for (const u of page.Users ?? []) {
      total++;
      const status = u.UserStatus ?? 'UNKNOWN';
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      if (u.Username) names.add(u.Username);
      for (const a of u.Attributes ?? []) if (a.Name && aliases.includes(a.Name) && a.Value) names.add(a.Value);
    }
    token = page.PaginationToken;
  } while (token);
  return { names, byStatus, total };
}
