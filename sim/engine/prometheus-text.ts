/** Prometheus text exposition (format 0.0.4) as Python's prometheus_client writes it. */

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  /** Suffix appended to the family name (`_total`, `_bucket`, `_sum`, `_count`) or ''. */
  suffix: string;
  labels: Labels;
  value: number;
}

export interface MetricFamily {
  /** Exposed name without sample suffixes (counters: without `_total`). */
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  samples: Sample[];
}

/** Fixed-bucket histogram; `counts[i]` counts observations ≤ `buckets[i]` (not cumulative). */
export class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly buckets: readonly number[]) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= this.buckets[i]!) {
        this.counts[i]!++;
        return;
      }
    }
  }

  samples(labels: Labels): Sample[] {
    const out: Sample[] = [];
    let cumulative = 0;
    this.buckets.forEach((b, i) => {
      cumulative += this.counts[i]!;
      out.push({ suffix: '_bucket', labels: { ...labels, le: formatValue(b) }, value: cumulative });
    });
    out.push({ suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: this.count });
    out.push({ suffix: '_count', labels, value: this.count });
    out.push({ suffix: '_sum', labels, value: this.sum });
    return out;
  }
}

/** vLLM's `build_1_2_5_buckets(max)`: 1, 2, 5, 10, 20, 50, … up to `max`. */
export function buckets125(max: number): number[] {
  const out: number[] = [];
  for (let exp = 1; ; exp *= 10) {
    for (const m of [1, 2, 5]) {
      if (m * exp > max) return out;
      out.push(m * exp);
    }
  }
}

/** Python's `floatToGoString`: `8.0`, `0.001`, `+Inf`, and exponent form past 6 integer digits. */
export function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  let s = String(v);
  if (Number.isInteger(v) && !s.includes('e')) s = `${s}.0`;
  const dot = s.indexOf('.');
  if (v > 0 && dot > 6 && !s.includes('e')) {
    const mantissa = `${s[0]}.${s.slice(1, dot)}${s.slice(dot + 1)}`.replace(/0+$/, '').replace(/\.$/, '');
    return `${mantissa}e+0${dot - 1}`;
  }
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(',')}}`;
}

export function renderFamilies(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    const exposed = f.type === 'counter' ? `${f.name}_total` : f.name;
    lines.push(`# HELP ${exposed} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    lines.push(`# TYPE ${exposed} ${f.type}`);
    for (const s of f.samples) lines.push(`${f.name}${s.suffix}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
  return `${lines.join('\n')}\n`;
}
