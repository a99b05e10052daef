// Social and enterprise identities as `stage` reads them from each source's
// export (issue 33): Auth0's identities[] (a social identity by its provider,
// an enterprise one by its connection; the database connection is no
// identity), Firebase's providerUserInfo[] (but the password and the phone),
// Keycloak's federatedIdentities[]; each named as the pool names its
// providers, each once.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROVIDER_MAP, SOURCES } from '../../scripts/stage/sources.js';

const options = { providerMap: { ...DEFAULT_PROVIDER_MAP, 'acme-saml': 'AcmeSAML' } };
const identitiesOf = (source: keyof typeof SOURCES, record: Record<string, unknown>) => {
  const out = SOURCES[source].read(record, options);
  return 'user' in out ? out.user.identities : out.skip;
};

describe('staged identities', () => {
  it('Auth0: identities[] of every connection but the database, enterprise ones by connection; or the user_id when there is no list', () => {
    expect(identitiesOf('auth0', {
      user_id: 'auth0|42', email: 'ada@example.com',
      identities: [
        { provider: 'auth0', connection: 'Username-Password-Authentication', user_id: '42', isSocial: false },
        { provider: 'google-oauth2', connection: 'google-oauth2', user_id: '1093', isSocial: true },
        { provider: 'samlp', connection: 'acme-saml', user_id: 'ada@acme', isSocial: false },
        { provider: 'google-oauth2', connection: 'google-oauth2', user_id: '1093', isSocial: true },
        { provider: 'apple', connection: 'apple', isSocial: true },
      ],
    })).toEqual([{ provider: 'Google', sub: '1093' }, { provider: 'AcmeSAML', sub: 'ada@acme' }]);
    expect(identitiesOf('auth0', { user_id: 'facebook|77', email: 'f@example.com' })).toEqual([{ provider: 'Facebook', sub: '77' }]);
    expect(identitiesOf('auth0', { user_id: 'auth0|77', email: 'f@example.com', passwordHash: '$2b$04$x' })).toBeUndefined();
    expect(() => identitiesOf('auth0', { user_id: 'auth0|77', email: 'f@example.com', identities: 'not a list' })).toThrow(/"identities" is not a list/);
  });

  it('Firebase: providerUserInfo but the password and the phone; Keycloak: federatedIdentities, an unknown alias kept as it is', () => {
    expect(identitiesOf('firebase', {
      localId: 'u1', email: 'a@example.com',
      providerUserInfo: [{ providerId: 'password', rawId: 'a@example.com' }, { providerId: 'phone', rawId: '+1206' }, { providerId: 'apple.com', rawId: '001.abc' }, { providerId: 'google.com', rawId: '55' }],
    })).toEqual([{ provider: 'SignInWithApple', sub: '001.abc' }, { provider: 'Google', sub: '55' }]);
    expect(identitiesOf('keycloak', { id: 'k1', username: 'k', federatedIdentities: [{ identityProvider: 'google', userId: '9' }, { identityProvider: 'corp-oidc', userId: 'k@corp' }] }))
      .toEqual([{ provider: 'Google', sub: '9' }, { provider: 'corp-oidc', sub: 'k@corp' }]);
  });
});
