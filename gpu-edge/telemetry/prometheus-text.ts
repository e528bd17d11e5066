import { TelemetryParseError } from '../errors.js';

/**
 * Prometheus text exposition format 0.0.4: `# HELP`, `# TYPE`, samples with labels, values
 * (`+Inf`, `-Inf`, `NaN`) and optional millisecond timestamps. A line of dots (`...`) is an
 * elision some published samples contain; it is counted and skipped. Any other line that is not
 * a comment or a sample is an error naming the line.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Family {
  type?: MetricType;
  help?: string;
}

export interface Exposition {
  samples: Sample[];
  families: Map<string, Family>;
  /** Elision lines (`...`) skipped. */
  elided: number;
}

const FORMAT = 'prometheus text';
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parseValue(raw: string): number | undefined {
  switch (raw) {
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    case 'NaN':
      return NaN;
    default: {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return undefined;
      return Number(raw);
    }
  }
}

function unescapeHelp(s: string): string {
  return s.replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

function family(families: Map<string, Family>, name: string): Family {
  let f = families.get(name);
  if (!f) {
    f = {};
    families.set(name, f);
  }
  return f;
}

/** Reads `{a="x",b="y"}` starting at `pos` (just after `{`); returns the labels and the index after `}`. */
function readLabels(line: string, pos: number, lineNo: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = pos;
  const fail = (rule: string, detail: string, field?: string): never => {
    throw new TelemetryParseError(FORMAT, lineNo, field, rule, `${detail} at column ${i + 1}`);
  };
  for (;;) {
    while (line[i] === ' ') i++;
    if (line[i] === '}') return { labels, end: i + 1 };
    const name = LABEL_NAME.exec(line.slice(i));
    if (!name) fail('label_name', 'expected a label name or }');
    const label = name![0];
    i += label.length;
    while (line[i] === ' ') i++;
    if (line[i] !== '=') fail('label', 'expected =', label);
    i++;
    while (line[i] === ' ') i++;
    if (line[i] !== '"') fail('label_value', 'expected a quoted value', label);
    i++;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) fail('label_value', 'unterminated label value', label);
      if (c === '"') break;
      if (c === '\\') {
        const next = line[i + 1];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else fail('escape', `invalid escape \\${next ?? ''}`, label);
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    i++;
    if (label in labels) fail('duplicate_label', `label ${label} repeated`, label);
    labels[label] = value;
    while (line[i] === ' ') i++;
    if (line[i] === ',') i++;
    else if (line[i] !== '}') fail('label', 'expected , or }', label);
  }
}

function parseSample(line: string, lineNo: number): Sample {
  const name = METRIC_NAME.exec(line);
  if (!name) throw new TelemetryParseError(FORMAT, lineNo, undefined, 'sample', `not a sample: "${line.slice(0, 80)}"`);
  let i = name[0].length;
  let labels: Record<string, string> = {};
  if (line[i] === '{') {
    const read = readLabels(line, i + 1, lineNo);
    labels = read.labels;
    i = read.end;
  }
  const rest = line
    .slice(i)
    .trim()
    .split(/[ \t]+/);
  if (line[i] !== ' ' && line[i] !== '\t') {
    throw new TelemetryParseError(FORMAT, lineNo, name[0], 'sample', 'expected a space before the value');
  }
  if (rest.length < 1 || rest.length > 2 || rest[0] === '') {
    throw new TelemetryParseError(
      FORMAT,
      lineNo,
      name[0],
      'sample',
      `not a sample (name, value, optional timestamp): "${line.slice(0, 80)}"`
    );
  }
  const value = parseValue(rest[0]!);
  if (value === undefined) {
    throw new TelemetryParseError(FORMAT, lineNo, name[0], 'value', `"${rest[0]}" is not a number`);
  }
  const sample: Sample = { name: name[0], labels, value };
  if (rest[1] !== undefined) {
    if (!/^-?\d+$/.test(rest[1])) {
      throw new TelemetryParseError(FORMAT, lineNo, name[0], 'timestamp', `"${rest[1]}" is not an integer (ms)`);
    }
    sample.timestampMs = Number(rest[1]);
  }
  return sample;
}

export function parsePrometheusText(text: string): Exposition {
  const samples: Sample[] = [];
  const families = new Map<string, Family>();
  let elided = 0;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const line = lines[n]!.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (/^\.{3,}$/.test(trimmed)) {
      elided++;
      continue;
    }
    if (trimmed.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(trimmed);
      if (!m) continue; // other comments carry nothing
      const kind = m[1]!;
      const name = m[2]!;
      const rest = m[3] ?? '';
      if (METRIC_NAME.exec(name)?.[0] !== name) {
        throw new TelemetryParseError(FORMAT, lineNo, name, 'metric_name', `invalid metric name in # ${kind}`);
      }
      if (kind === 'HELP') family(families, name).help = unescapeHelp(rest);
      else {
        const type = rest.trim() as MetricType;
        if (!TYPES.has(type)) {
          throw new TelemetryParseError(FORMAT, lineNo, name, 'type', `unknown metric type "${rest.trim()}"`);
        }
        family(families, name).type = type;
      }
      continue;
    }
    samples.push(parseSample(line.trimStart(), lineNo));
  }
  return { samples, families, elided };
}
