// The help text of the csv and import commands, apart so `help` loads nothing else.
export const CSV_USAGE = `  csv lint FILE --header HEADER.json [--auto-verified email,phone_number] [--mfa ON|OFF|OPTIONAL] [--required a,b]
      Checks a CSV import file against every Cognito rule; HEADER.json is what
      \`aws cognito-idp get-csv-header\` prints. One line per problem, exit 1 if any.

  csv export --out DIR (--header HEADER.json | --user-pool-id ID) [--database-url-file FILE] [--table T] [--columns JSON]
             [--query SQL] [--attribute-map JSON] [--migrated-column COL] [--skip-existing] [--hash-column NAME]
             [--hash-formats BCRYPT,SCRYPT,ARGON2ID,PBKDF2_SHA256] [--include-disabled] [--max-users N] [--max-bytes N]
      Streams legacy users from PostgreSQL into import files that pass
      the linter, split at 500,000 users and 100 MB, one hash algorithm per file when
      the pool's header has a hash column; writes left-out.csv (every user left out,
      with the reason) and manifest.json, all readable by their owner only (0600).
      The database URL comes from DATABASE_URL or --database-url-file: a URL on the
      command line (--database-url) shows in ps and shell history.

  import --user-pool-id ID (--file F | --manifest DIR/manifest.json) (--role-arn ARN | --create-role NAME)
         [--job-name N] [--poll-seconds S] [--first-user-line N]
      Runs the import job(s): CreateUserImportJob, upload to the pre-signed URL
      (x-amz-server-side-encryption: aws:kms), StartUserImportJob, progress until the
      end (Ctrl-C stops the job), then maps every [FAILED]/[SKIPPED] log line to its
      username in a per-user result file, with the explanation and the fix.`;
