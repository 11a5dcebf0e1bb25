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
    case 'exported_head_rewritten':
      return `exported_head_rewritten: the chain at position ${finding.position} no longer hashes to the signed head ${finding.name}: records up to it were rewritten`;
    case 'exported_head_beyond_chain':
      return `exported_head_beyond_chain: the signed head ${finding.name} is at position ${finding.position}, past the chain's last record ${finding.lastPosition}: the chain was cut off`;
    case 'exported_head_forged':
      return `exported_head_forged: the stored head ${finding.name} is not validly signed by this deployment's key`;
  }
}
