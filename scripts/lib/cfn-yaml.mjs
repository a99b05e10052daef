// Reads a CloudFormation/SAM template written in YAML, with the short-form
// intrinsic tags (!Ref, !Sub, !GetAtt, …) turned into their long JSON forms.
import { parse } from 'yaml';

const FUNCTIONS = ['Base64', 'Cidr', 'FindInMap', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or', 'Length', 'ToJsonString'];

const plain = (node) => (typeof node?.toJSON === 'function' ? node.toJSON() : node);
const tags = [
  ...FUNCTIONS.flatMap((name) => ['scalar', 'seq', 'map'].map((collection) => ({
    tag: `!${name}`, collection: collection === 'scalar' ? undefined : collection, resolve: (node) => ({ [`Fn::${name}`]: plain(node) }),
  }))),
  { tag: '!Ref', resolve: (value) => ({ Ref: value }) },
  { tag: '!Condition', resolve: (value) => ({ Condition: value }) },
  // !GetAtt Resource.Attribute is the short form of { "Fn::GetAtt": ["Resource", "Attribute"] }.
  { tag: '!GetAtt', resolve: (value) => ({ 'Fn::GetAtt': String(value).split(/\.(.*)/s, 2) }) },
  { tag: '!GetAtt', collection: 'seq', resolve: (node) => ({ 'Fn::GetAtt': plain(node) }) },
];

/**
 * Parses template text.
 * @param {string} text
 * @returns {{ Resources?: Record<string, { Type: string, Properties?: any, Condition?: string }>, Parameters?: Record<string, any>, Conditions?: Record<string, any>, Outputs?: Record<string, any> }}
 * @example const template = parseTemplate(await readFile('template.yaml', 'utf8'))
 */
export function parseTemplate(text) {
  return parse(text, { customTags: tags });
}
