// The dashboard and alarms in template.yaml watch the metrics the handler really emits.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parseTemplate } from '../../scripts/doctor/cfn-yaml.js';
import { OUTCOMES, createDefaultMetrics } from '../../src/index.js';

const root = join(import.meta.dirname, '..', '..');
type Resource = { Type: string; Properties: Record<string, unknown> };

async function template() {
  return parseTemplate(await readFile(join(root, 'template.yaml'), 'utf8')) as unknown as { Resources: Record<string, Resource> };
}

/** The dashboard's metrics as [namespace, name, dimension, value] rows, with CloudWatch's "." shorthand filled in. */
function dashboardMetrics(resource: Resource): string[][] {
  const body = (resource.Properties.DashboardBody as { 'Fn::Sub': string })['Fn::Sub'].replace(/\$\{[^}]+\}/g, 'x');
  const widgets = (JSON.parse(body) as { widgets: Array<{ properties: { metrics: unknown[][] } }> }).widgets;
  return widgets.flatMap((w) => {
    let previous: string[] = [];
    return w.properties.metrics.map((row) => {
      if (row[0] === '...') return previous;
      const filled = row.filter((x) => typeof x === 'string').map((x, i) => (x === '.' ? previous[i]! : (x as string)));
      previous = filled;
      return filled;
    });
  });
}

describe('dashboard and alarms', () => {
  it('use the namespace and service dimension the handler emits, and every name is an outcome', async () => {
    const t = await template();
    const env = ((t.Resources.MigrationFunction!.Properties.Environment as { Variables: Record<string, string> }).Variables);
    const rows = dashboardMetrics(t.Resources.MigrationDashboard!).filter((r) => r[0] !== 'AWS/Lambda');
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set([env.POWERTOOLS_METRICS_NAMESPACE]));
    expect(new Set(rows.map((r) => `${r[2]}=${r[3]}`))).toEqual(new Set([`service=${env.POWERTOOLS_SERVICE_NAME}`]));
    // Every outcome is on the dashboard, and nothing that is not one.
    expect(new Set(rows.map((r) => r[1]))).toEqual(new Set(OUTCOMES));
    const alarmMetrics = Object.values(t.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .flatMap((r) => ((r.Properties.Metrics ?? []) as Array<{ MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: string }> } } }>))
      .flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []));
    expect(alarmMetrics.length).toBeGreaterThan(0);
    for (const m of alarmMetrics) {
      expect(m.Namespace).toBe(env.POWERTOOLS_METRICS_NAMESPACE);
      expect(m.Dimensions).toEqual([{ Name: 'service', Value: env.POWERTOOLS_SERVICE_NAME }]);
      expect(OUTCOMES as readonly string[]).toContain(m.MetricName);
    }
    expect(alarmMetrics.map((m) => m.MetricName).sort()).toEqual(['configuration_invalid', 'deadline_exceeded', 'internal_error', 'invalid_attributes', 'invalid_event', 'store_unavailable']);
  });

  it('the handler\'s metrics really carry that namespace, dimension and name (EMF as Powertools writes it)', async () => {
    const t = await template();
    const env = ((t.Resources.MigrationFunction!.Properties.Environment as { Variables: Record<string, string> }).Variables);
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', env.POWERTOOLS_METRICS_NAMESPACE!);
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', env.POWERTOOLS_SERVICE_NAME!);
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    try {
      createDefaultMetrics().count('store_unavailable');
    } finally {
      spy.mockRestore();
      vi.unstubAllEnvs();
    }
    const emf = JSON.parse(written.find((w) => w.includes('CloudWatchMetrics'))!) as { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> }; service: string };
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'CognitoMigrate', Dimensions: [['service']], Metrics: [{ Name: 'store_unavailable' }] });
    expect(emf.service).toBe('cognito-migrate');
  });

  it('alarm on p99 duration above 3 s, store outages and function errors, notifying the optional topic', async () => {
    const t = await template();
    const slow = t.Resources.SlowSignInAlarm!.Properties;
    expect(slow).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Duration', ExtendedStatistic: 'p99', Threshold: 3000 });
    for (const id of ['StoreOutageAlarm', 'SlowSignInAlarm', 'FunctionErrorAlarm']) {
      expect(JSON.stringify(t.Resources[id]!.Properties.AlarmActions)).toContain('AlarmTopicName');
    }
  });
});
