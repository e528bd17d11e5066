import { VARIABLES, type VariableName } from './panel-spec.js';

/** What Grafana would substitute: the time range, the interval, and each variable's selection. */
export interface QueryContext {
  fromMs: number;
  toMs: number;
  /** `$__interval_s` and the `$__timeInterval` bucket width. */
  intervalS: number;
  /** Selected values per variable; absent or 'all' = All. */
  vars?: Partial<Record<VariableName, readonly string[] | 'all'>>;
}

const sec = (ms: number): number => Math.floor(ms / 1000);
const quote = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Index of the parenthesis closing the one at `open`, skipping quoted text. */
function closing(sql: string, open: number): number {
  let depth = 0;
  let inQuote = false;
  for (let i = open; i < sql.length; i++) {
    const c = sql[i];
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === "'") inQuote = false;
    } else if (c === "'") inQuote = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  throw new Error(`unbalanced parentheses after offset ${open} in: ${sql.slice(open, open + 60)}`);
}

/** Splits at the last top-level comma (the condition may hold commas inside parentheses). */
function splitLastArg(args: string): [string, string] {
  let depth = 0;
  for (let i = args.length - 1; i >= 0; i--) {
    const c = args[i];
    if (c === ')') depth++;
    else if (c === '(') depth--;
    else if (c === ',' && depth === 0) return [args.slice(0, i).trim(), args.slice(i + 1).trim()];
  }
  throw new Error(`$__conditionalAll needs (condition, $variable), got (${args})`);
}

function selection(ctx: QueryContext, name: string): readonly string[] | 'all' {
  if (!(VARIABLES as readonly string[]).includes(name)) {
    throw new Error(`unknown variable $${name}: dashboards know ${VARIABLES.join(', ')}`);
  }
  const v = ctx.vars?.[name as VariableName];
  if (v !== 'all' && v !== undefined && v.length === 0) throw new Error(`variable $${name}: select at least one value`);
  return v ?? 'all';
}

/**
 * Expands a panel's SQL as the Grafana ClickHouse plugin does before it reaches ClickHouse, so
 * tests and `render-pngs.ts` run the exact panel text: `$__timeFilter(col)`, `$__fromTime`,
 * `$__toTime`, `$__timeInterval(col)`, `$__interval_s`, `$__conditionalAll(cond, $var)` (`1=1`
 * under All) and `${var:singlequote}`. The forms follow the plugin's documented outputs. Under
 * All, `${var:singlequote}` needs the variable's values, so it is only legal inside
 * `$__conditionalAll`; anything else left with a `$` is an error naming it.
 */
export function expandMacros(sql: string, ctx: QueryContext): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const m = /\$__(conditionalAll|timeFilter|timeInterval)\(/y;
    m.lastIndex = i;
    const hit = m.exec(sql);
    if (!hit) {
      out += sql[i];
      i++;
      continue;
    }
    const open = i + hit[0].length - 1;
    const close = closing(sql, open);
    const args = sql.slice(open + 1, close);
    if (hit[1] === 'conditionalAll') {
      const [cond, ref] = splitLastArg(args);
      const name = /^\$\{?(\w+)\}?$/.exec(ref)?.[1];
      if (!name) throw new Error(`$__conditionalAll: second argument must be a $variable, got '${ref}'`);
      out += selection(ctx, name) === 'all' ? '1=1' : `(${expandMacros(cond, ctx)})`;
    } else if (hit[1] === 'timeFilter') {
      const col = args.trim();
      out += `${col} >= toDateTime(${sec(ctx.fromMs)}) AND ${col} <= toDateTime(${sec(ctx.toMs)})`;
    } else {
      out += `toStartOfInterval(toDateTime(${args.trim()}), INTERVAL ${ctx.intervalS} second)`;
    }
    i = close + 1;
  }
  out = out
    .replace(/\$__fromTime\b/g, `toDateTime(${sec(ctx.fromMs)})`)
    .replace(/\$__toTime\b/g, `toDateTime(${sec(ctx.toMs)})`)
    .replace(/\$__interval_s\b/g, String(ctx.intervalS))
    .replace(/\$\{(\w+):singlequote\}/g, (_, name: string) => {
      const v = selection(ctx, name);
      if (v === 'all') throw new Error(`\${${name}:singlequote} under All is only expanded inside $__conditionalAll`);
      return v.map(quote).join(', ');
    });
  const left = /\$[\w{]+/.exec(out);
  if (left) throw new Error(`unexpanded macro or variable ${left[0]}`);
  return out;
}
