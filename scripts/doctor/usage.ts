// The help text of doctor, apart so `help` loads nothing else.
export const DOCTOR_USAGE = `  doctor [--template FILE] [--stack NAME | --function NAME --user-pool-id ID] [--region R] [--bcrypt-cost N] [--json]
      Finds what would make legacy users fail to sign in, before they do. With only
      --template (default template.yaml) it needs no AWS credentials: the template,
      the built artifact loaded in a fresh Node.js process, roles, invoke permission,
      trigger wiring, app client auth flows, MFA/SMS and CSV import roles. With
      --stack or --function it reads the deployed function, pool, clients, policy
      and role, then runs the function's self-check. Exit code 1 when a check fails.`;
