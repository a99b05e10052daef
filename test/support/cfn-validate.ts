// CloudFormation validation here: aws-cdk-lib's cloudformation-include loads a
// template, rejects unknown properties, and reports validation warnings
// (REFERENCE.md §7; Python cfn-lint is not installable on these machines).
import { App, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The validation report's violations for a synthesized template (an object), or [] when there are none.
 * @example expect(await synthesizedViolations(template.toJSON(), dir)).toEqual([])
 */
export async function synthesizedViolations(template: unknown, dir: string): Promise<string[]> {
  const file = join(await mkdtemp(join(dir, 'template-')), 'synthesized.json');
  await writeFile(file, JSON.stringify(template));
  const outdir = await mkdtemp(join(dir, 'validate-'));
  const app = new App({ outdir });
  // A synthesized template brings its own BootstrapVersion parameter and rule.
  new CfnInclude(new Stack(app, 'Check', { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) }), 'Template', { templateFile: file });
  app.synth();
  const report = JSON.parse(await readFile(join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string; severity: string; description: string }> }> };
  return report.pluginReports.flatMap((p) => p.violations.map((v) => `${p.pluginName} ${v.severity} ${v.ruleName}: ${v.description}`));
}
