import type { AuditFinding } from './service.ts';

/** One line per finding, for operators (docs/operations/audit.md explains each). */
export function describeFinding(finding: AuditFinding): string {
  switch (finding.kind) {
    case 'tampered':
      return `tampered: record at position ${finding.position} (${finding.id}) does not match its hash`;
    case 'missing':
      return finding.beforePosition - finding.afterPosition === 2n
        ? `missing: the record at position ${finding.afterPosition + 1n} between ${finding.afterPosition} and ${finding.beforePosition} was deleted`
        : `missing: records ${finding.afterPosition + 1n} to ${finding.beforePosition - 1n} between ${finding.afterPosition} and ${finding.beforePosition} were deleted`;
    case 'broken_link':
      return `broken link: record at position ${finding.position} (${finding.id}) does not carry the hash of record ${finding.previousPosition}`;
    case 'missing_tail':
      return `missing: records ${finding.lastPosition + 1n} to ${finding.headPosition} after ${finding.lastPosition} were deleted (the chain head is at ${finding.headPosition})`;
    case 'head_mismatch':
      return `tampered: the chain head's hash does not match record ${finding.headPosition}`;
  }
}
