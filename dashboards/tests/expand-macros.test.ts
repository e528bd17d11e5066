import { describe, expect, it } from 'vitest';
import { expandMacros, type QueryContext } from '../index.js';

// 2026-11-20T10:00:00Z and three minutes later, in epoch seconds
const CTX: QueryContext = { fromMs: 1_795_168_800_000, toMs: 1_795_168_980_000, intervalS: 60 };

describe('dashboards expandMacros', () => {
  it('expands time macros to the forms the ClickHouse plugin documents', () => {
    expect(expandMacros('WHERE $__timeFilter(ts) AND x < $__toTime AND y > $__fromTime', CTX)).toBe(
      'WHERE ts >= toDateTime(1795168800) AND ts <= toDateTime(1795168980) AND x < toDateTime(1795168980) AND y > toDateTime(1795168800)'
    );
    expect(expandMacros('SELECT $__timeInterval(bucket) AS t, n / $__interval_s', CTX)).toBe(
      'SELECT toStartOfInterval(toDateTime(bucket), INTERVAL 60 second) AS t, n / 60'
    );
  });

  it('drops a $__conditionalAll condition under All and quotes the selected values otherwise', () => {
    const sql = "$__conditionalAll(workload IN (${workload:singlequote}), $workload) AND x = ')'";
    expect(expandMacros(sql, CTX)).toBe("1=1 AND x = ')'");
    expect(expandMacros(sql, { ...CTX, vars: { workload: ['wa', "o'brien"] } })).toBe(
      "(workload IN ('wa', 'o\\'brien')) AND x = ')'"
    );
  });

  it('refuses unknown variables, an empty selection and leftovers, naming them', () => {
    expect(() => expandMacros('$__conditionalAll(a IN (${team:singlequote}), $team)', CTX)).toThrow(
      /unknown variable \$team/
    );
    expect(() => expandMacros('x IN (${node:singlequote})', CTX)).toThrow(/node:singlequote\} under All/);
    expect(() =>
      expandMacros('$__conditionalAll(node IN (${node:singlequote}), $node)', { ...CTX, vars: { node: [] } })
    ).toThrow(/\$node: select at least one value/);
    expect(() => expandMacros('SELECT $__unixEpochFilter(ts)', CTX)).toThrow(
      /unexpanded macro or variable \$__unixEpochFilter/
    );
  });
});
