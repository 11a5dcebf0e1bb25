import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from './config.ts';
import { lockDataDir, lockFileName } from './data-dir-lock.ts';

const freshDir = () => mkdtempSync(path.join(tmpdir(), 'ng-lock-'));

describe('the embedded database folder lock', () => {
  it('is taken with this process id and given back on release', () => {
    const dir = freshDir();
    const release = lockDataDir(dir);
    assert.equal(readFileSync(path.join(dir, lockFileName), 'utf8').trim(), String(process.pid));
    release();
    assert.equal(existsSync(path.join(dir, lockFileName)), false);
    lockDataDir(dir)();
  });

  it('keeps a second opener out while the holder lives, naming it', () => {
    const dir = freshDir();
    // The parent of this test process is alive for the whole test: it stands in for `./ng start`.
    writeFileSync(path.join(dir, lockFileName), `${process.ppid}\n`);
    assert.throws(
      () => lockDataDir(dir),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message.includes(`in use by process ${process.ppid}`) &&
        error.message.includes('DATABASE_URL'),
    );
    assert.equal(readFileSync(path.join(dir, lockFileName), 'utf8').trim(), String(process.ppid), 'left untouched');
  });

  it('refuses to open the same folder twice in one process', () => {
    const dir = freshDir();
    const release = lockDataDir(dir);
    assert.throws(() => lockDataDir(dir), ConfigError);
    release();
  });

  it('takes over a lock whose process has died', () => {
    const dir = freshDir();
    const finished = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(finished.stdout.toString());
    assert.ok(deadPid > 0);
    writeFileSync(path.join(dir, lockFileName), `${deadPid}\n`);
    const release = lockDataDir(dir);
    assert.equal(readFileSync(path.join(dir, lockFileName), 'utf8').trim(), String(process.pid));
    release();
  });

  it('takes over an unreadable lock file', () => {
    const dir = freshDir();
    writeFileSync(path.join(dir, lockFileName), 'not a pid');
    lockDataDir(dir)();
  });
});
