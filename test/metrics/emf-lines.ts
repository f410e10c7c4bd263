/**
 * Reads CloudWatch Embedded Metric Format lines the way CloudWatch does
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 * a JSON line with `_aws.CloudWatchMetrics` declares metrics; each declared dimension set names the
 * top-level keys that hold the dimension values; the metric's value (a number or a list) is the
 * top-level key of its name.
 */
export interface EmfLine {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: ReadonlyArray<{
      readonly Namespace: string;
      readonly Dimensions: ReadonlyArray<readonly string[]>;
      readonly Metrics: ReadonlyArray<{ readonly Name: string; readonly Unit?: string }>;
    }>;
  };
  readonly [key: string]: unknown;
}

/** Captures what the process writes to stdout (where Powertools and the logger write) until `stop`. */
export function captureStdout(): { lines: () => string[]; stop: () => void } {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write);
  return {
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== ''),
    stop: () => spy.mockRestore(),
  };
}

export function parseEmfLines(lines: readonly string[]): EmfLine[] {
  const parsed: EmfLine[] = [];
  for (const line of lines) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (value && typeof value === 'object' && '_aws' in value) parsed.push(value as EmfLine);
  }
  return parsed;
}

export interface EmfDatum {
  readonly namespace: string;
  readonly name: string;
  readonly unit?: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly values: readonly number[];
}

/** Every metric datum of the lines, once per declared dimension set, as CloudWatch extracts them. */
export function extractMetrics(lines: readonly EmfLine[]): EmfDatum[] {
  const data: EmfDatum[] = [];
  for (const line of lines) {
    for (const directive of line._aws.CloudWatchMetrics) {
      for (const set of directive.Dimensions) {
        const dimensions = Object.fromEntries(set.map((key) => [key, String(line[key])]));
        for (const metric of directive.Metrics) {
          const raw = line[metric.Name];
          const values = Array.isArray(raw) ? (raw as number[]) : [raw as number];
          data.push({ namespace: directive.Namespace, name: metric.Name, unit: metric.Unit, dimensions, values });
        }
      }
    }
  }
  return data;
}

/** The sum of a metric's values under exactly this dimension set (`service` included). */
export function sumOf(data: readonly EmfDatum[], name: string, dimensions: Record<string, string>): number {
  const wanted = JSON.stringify(Object.entries(dimensions).sort());
  return data
    .filter((datum) => datum.name === name && JSON.stringify(Object.entries(datum.dimensions).sort()) === wanted)
    .reduce((sum, datum) => sum + datum.values.reduce((a, b) => a + b, 0), 0);
}
