import type { z } from 'zod';

/** One broken rule in an input: where (a dotted path), which rule, and a sentence for people. */
export interface FieldIssue {
  path: string;
  rule: string;
  message: string;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

export function issuesOf(error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath([...prefix, ...issue.path]),
    rule: issue.code,
    message: issue.message,
  }));
}

/** `data.gpus[0].util_pct: Too big: expected number to be <=100 (too_big)`; one line per issue. */
export function describeIssues(issues: readonly FieldIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message} (${i.rule})`).join('; ');
}
