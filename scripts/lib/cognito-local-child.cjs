// Runs cognito-local and exits as soon as the process that started it goes
// away (its IPC channel closes), so a crashed demo or test never leaves an
// emulator behind.
process.on('disconnect', () => process.exit(0));

// Two corrections, so the emulator holds users the way Cognito does. First, every
// user has a `sub`, "a unique identifier (UUID) for the authenticated user"
// that Cognito assigns and nobody can change (developer guide, "Working with
// user attributes", standard attributes). cognito-local gives one to users it
// creates through SignUp and AdminCreateUser, but not to the user its
// UserMigration trigger creates, so its Post authentication event would carry
// no sub. The user object is completed in place, because the same object goes
// on to the Post authentication trigger.
const { randomUUID } = require('node:crypto');
const { UserPoolServiceImpl } = require('cognito-local/lib/services/userPoolService.js');
const saveUser = UserPoolServiceImpl.prototype.saveUser;
UserPoolServiceImpl.prototype.saveUser = function (ctx, user) {
  if (!(user.Attributes ?? []).some((a) => a.Name === 'sub')) user.Attributes = [{ Name: 'sub', Value: randomUUID() }, ...(user.Attributes ?? [])];
  return saveUser.call(this, ctx, user);
};
// Second, what a Post authentication trigger changes stays: the developer guide
// names "user profile adjustments that will be reflected on the next sign-in"
// as what the trigger is for ("Post authentication Lambda trigger").
// cognito-local stores the refresh token it issues after that trigger by
// saving the user object it read before it, which puts back the attributes
// the trigger changed. The token is added to the user as stored now instead.
UserPoolServiceImpl.prototype.storeRefreshToken = async function (ctx, refreshToken, user) {
  const current = (await this.getUserByUsername(ctx, user.Username)) ?? user;
  const refreshTokens = Array.isArray(current.RefreshTokens) ? current.RefreshTokens : [];
  await saveUser.call(this, ctx, { ...current, RefreshTokens: [...refreshTokens, refreshToken] });
};

require('cognito-local/lib/bin/start.js');
