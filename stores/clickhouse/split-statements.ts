// a `;` that ends a line (optionally followed by a `--` comment), or ends the file
const STATEMENT_END = /;[ \t]*(?:--[^\n]*)?(?:\r?\n|$)/;

/**
 * Splits a migration file into statements at `;` line ends (a line holding only `;`
 * included). A `;` in the middle of a line, even in a string, does not split.
 */
export function splitStatements(sql: string): string[] {
  return sql
    .split(STATEMENT_END)
    .map((s) => s.trim())
    .filter((s) => stripLineComments(s).trim() !== '');
}

function stripLineComments(s: string): string {
  return s.replace(/^[ \t]*--.*$/gm, '');
}
