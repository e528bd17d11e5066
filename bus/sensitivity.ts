/**
 * Subjects whose payloads may carry privacy-tiered application content: whatever their
 * schema says, a dead letter from them keeps only a hash and the size (DESIGN.md "Subjects").
 */
const SENSITIVE = [/^oi\.v1\.tel\.(\d+\.)?app\./];

export function isSensitiveSubject(subject: string): boolean {
  return SENSITIVE.some((re) => re.test(subject));
}
