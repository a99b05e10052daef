// Reads a CloudFormation/SAM template written in YAML, with the short-form
// intrinsic tags (!Ref, !Sub, !GetAtt, …) turned into their long JSON forms.
import { type ScalarTag, type CollectionTag, parse } from 'yaml';

const FUNCTIONS = ['Base64', 'Cidr', 'FindInMap', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or', 'Length', 'ToJsonString'];

const plain = (node: unknown): unknown => (typeof (node as { toJSON?: unknown })?.toJSON === 'function' ? (node as { toJSON(): unknown }).toJSON() : node);
const tags: Array<ScalarTag | CollectionTag> = [
  ...FUNCTIONS.flatMap((name) => [
    { tag: `!${name}`, resolve: (value: string) => ({ [`Fn::${name}`]: value }) } as ScalarTag,
    ...(['seq', 'map'] as const).map((collection) => ({ tag: `!${name}`, collection, resolve: (node: unknown) => ({ [`Fn::${name}`]: plain(node) }) }) as unknown as CollectionTag),
  ]),
  { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) } as ScalarTag,
  { tag: '!Condition', resolve: (value: string) => ({ Condition: value }) } as ScalarTag,
  // !GetAtt Resource.Attribute is the short form of { "Fn::GetAtt": ["Resource", "Attribute"] }.
  { tag: '!GetAtt', resolve: (value: string) => ({ 'Fn::GetAtt': String(value).split(/\.(.*)/s, 2) }) } as ScalarTag,
  { tag: '!GetAtt', collection: 'seq', resolve: (node: unknown) => ({ 'Fn::GetAtt': plain(node) }) } as unknown as CollectionTag,
];

/** A template as doctor reads it: the sections it looks at. */
export interface ParsedTemplate {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown>; Condition?: string }>;
  Parameters?: Record<string, Record<string, unknown>>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
}

/**
 * Parses template text.
 *
 * @example
 * ```ts
 * const template = parseTemplate(await readFile('template.yaml', 'utf8'))
 * ```
 */
export function parseTemplate(text: string): ParsedTemplate {
  return parse(text, { customTags: tags }) as ParsedTemplate;
}
