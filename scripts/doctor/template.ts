// Reading CloudFormation: which resource a value points at, and which IAM
// statements a role or function carries.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export interface Resource {
  Type: string;
  Properties?: Record<string, Json>;
  Condition?: string;
}
export interface Template {
  Parameters?: Record<string, { Default?: Json }>;
  Globals?: { Function?: Record<string, Json> };
  Resources?: Record<string, Resource>;
}

/** Every value a property may take: both branches of Fn::If, without AWS::NoValue. */
export function branches(value: Json | undefined): Json[] {
  if (value === undefined || value === null) return [];
  if (isRef(value, 'AWS::NoValue')) return [];
  if (typeof value === 'object' && !Array.isArray(value) && 'Fn::If' in value && Array.isArray(value['Fn::If'])) {
    const [, yes, no] = value['Fn::If'];
    return [...branches(yes), ...branches(no)];
  }
  return [value];
}

function isRef(value: Json, target: string): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && value.Ref === target;
}

/** True when `value` (or a branch of it) refers to the resource `logicalId`: Ref, GetAtt, or ${id} inside Sub. */
export function refersTo(value: Json | undefined, logicalId: string): boolean {
  return branches(value).some((v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    if (v.Ref === logicalId) return true;
    const getAtt = v['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt[0] === logicalId) return true;
    const sub = v['Fn::Sub'];
    const text = Array.isArray(sub) ? sub[0] : sub;
    return typeof text === 'string' && new RegExp(`\\$\\{${logicalId}(\\.[A-Za-z]+)?\\}`).test(text);
  });
}

/** The resource a value points at (Ref/GetAtt/Sub), when it is in the template. */
export function target(template: Template, value: Json | undefined): [string, Resource] | undefined {
  for (const [id, resource] of Object.entries(template.Resources ?? {})) if (refersTo(value, id)) return [id, resource];
  return undefined;
}

/** A literal value, a parameter's default, or undefined when it cannot be known before deploy. */
export function literal(template: Template, value: Json | undefined): Json | undefined {
  if (value === undefined || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  if (typeof value.Ref === 'string') return template.Parameters?.[value.Ref]?.Default;
  return undefined;
}

export interface Statement {
  Effect?: string;
  Action?: Json;
  Resource?: Json;
  Principal?: Json;
  Condition?: Json;
}

/** The statements of every policy document in a list of policies (inline Policies or SAM Policies). */
export function statementsOf(policies: Json | undefined): Statement[] {
  const out: Statement[] = [];
  for (const policy of branches(policies).flatMap((p) => (Array.isArray(p) ? p.flatMap(branches) : [p]))) {
    if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) continue;
    const doc = (policy.PolicyDocument ?? policy) as Record<string, Json>;
    for (const s of branches(doc.Statement).flatMap((x) => (Array.isArray(x) ? x : [x]))) {
      if (typeof s === 'object' && s !== null && !Array.isArray(s)) out.push(s as Statement);
    }
  }
  return out;
}

const list = (v: Json | undefined): Json[] => branches(v).flatMap((x) => (Array.isArray(x) ? x : [x]));

/** True when an Allow statement grants `action` (wildcards honoured) on a resource `resourceOk` accepts. */
export function allows(statements: Statement[], action: string, resourceOk: (resource: Json) => boolean = () => true): boolean {
  return statements.some((s) => s.Effect === 'Allow'
    && list(s.Action).some((a) => typeof a === 'string' && wildcard(a, action))
    && (s.Resource === undefined || list(s.Resource).some(resourceOk)));
}

/** IAM-style match: `*` and `?` wildcards, case-insensitive for the action. */
export function wildcard(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(value);
}

/** The service principals a trust policy lets assume the role. */
export function trustedServices(assumeRolePolicy: Json | undefined): string[] {
  return statementsOf([assumeRolePolicy ?? null]).filter((s) => s.Effect === 'Allow').flatMap((s) => {
    const p = s.Principal;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) return [];
    return list(p.Service).filter((x): x is string => typeof x === 'string');
  });
}
