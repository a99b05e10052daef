// The help texts of `cognito-migrate csv`, apart so help loads nothing else.
export const LINT_USAGE = `Usage: cognito-migrate csv lint FILE --header HEADER.json [--auto-verified email,phone_number] [--mfa ON|OFF|OPTIONAL] [--required a,b]
         [--password-hash-algorithm BCRYPT|SCRYPT|ARGON2ID|PBKDF2_SHA256] [--json]

Checks a CSV import file against every Cognito rule, password_hash included:
with --password-hash-algorithm (the job's) every hash must be of it and within
its published bounds; without it the column must be empty. HEADER.json is what
\`aws cognito-idp get-csv-header --user-pool-id ID\` prints. One line per problem
(line, column, rule, fix), or with --json {"file","users","ok","problems":[…]}.

Exit code 1 when there is a problem.`;

export const EXPORT_USAGE = `Usage: cognito-migrate csv export --out DIR (--header HEADER.json | --user-pool-id ID) [--database-url-file FILE]
           [--table T | --query SQL] [--columns JSON] [--attribute-map JSON] [--migrated-column COL] [--skip-existing]
           [--hash-column NAME] [--hash-formats BCRYPT,SCRYPT,ARGON2ID,PBKDF2_SHA256] [--include-disabled]
           [--unimportable trigger|reset] [--convert pbkdf2,scrypt|none] [--max-users N] [--max-bytes N] [--json]

Streams legacy users from PostgreSQL into import files that pass the linter,
split at 500,000 users and 100 MB, one hash algorithm per file when the pool's
header has a hash column (password_hash, or --hash-column NAME). A user whose
hash Cognito cannot import (its format, or over the published bounds: bcrypt
cost 12, Argon2id m=19456 t=2 p=1, scrypt N=65536 r=8 p=1, PBKDF2-SHA256
600,000 iterations) is left
for the sign-in trigger, which migrates them with their password; with
--unimportable reset they are exported without a hash and reset it instead.
Users with no stored hash are exported without one.
Django pbkdf2_sha256$ and Werkzeug pbkdf2:sha256: hashes are re-encoded to the
PBKDF2_SHA256 layout; --convert pbkdf2,scrypt also re-encodes passlib $scrypt$
and Werkzeug scrypt: to the SCRYPT layout (opt-in: see the README), --convert
none re-encodes nothing. Writes left-out.csv (every user left out, with the
reason) and manifest.json, all readable by their owner only (0600). The whole
export, its count included, is one read-only transaction.

When the pool's header has custom:legacy_proof, each user gets the link proof
the completion asks for, made with the function's key (LINK_KEY_ARN or
LINK_KEY) for the pool named by --user-pool-id.

The database URL comes from DATABASE_URL or --database-url-file FILE: a URL on
the command line (--database-url) shows in ps and shell history.`;

export const CSV_USAGE = `Usage: cognito-migrate csv <lint|export> [options]

  lint FILE --header HEADER.json   check an import file against Cognito's rules
  export --out DIR …               write import files from the legacy store

cognito-migrate csv lint --help and csv export --help show each one's options.`;
