/** A row of a trace file that breaks a rule: names the file, the 1-based line, the field and the rule. */
export class TraceFormatError extends Error {
  override name = 'TraceFormatError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    readonly rule: string,
    readonly value?: string
  ) {
    super(
      `${file}:${line}: ${field}: ${rule}${value === undefined ? '' : ` (got ${JSON.stringify(value.slice(0, 80))})`}`
    );
  }
}
