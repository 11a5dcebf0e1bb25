import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './config.ts';

/**
 * The embedded PGlite database is one process's files: a second process opening the same folder
 * (say `./ng audit verify` or `./ng backoffice credit` while `./ng start` runs) would write to them
 * concurrently and could corrupt them. A lock file holding the owner's pid keeps the second process
 * out with one clear line. A lock left by a process that died (kill -9, power loss) is taken over.
 */
export const lockFileName = 'nextgen.lock';

/** True while a process with this id runs (EPERM: it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerOf(lockFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the folder's lock or throws ConfigError naming the process that holds it. Returns the release. */
export function lockDataDir(dir: string): () => void {
  const lockFile = path.join(dir, lockFileName);
  // Two attempts: the second after removing a stale lock (its owner is gone).
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        if (ownerOf(lockFile) === process.pid) rmSync(lockFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = ownerOf(lockFile);
      if (owner !== undefined && owner !== process.pid && isProcessAlive(owner)) {
        throw new ConfigError(
          'DATA_DIR',
          `holds an embedded database in use by process ${owner}: stop that process (./ng start) first, or set DATABASE_URL to share a PostgreSQL server`,
        );
      }
      if (owner === process.pid) {
        throw new ConfigError('DATA_DIR', 'holds an embedded database this process has already opened');
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new ConfigError('DATA_DIR', `could not take the embedded database's lock file ${lockFile}`);
}
