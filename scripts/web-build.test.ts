import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { builtHash, sourceHash, withBuildLock } from './web-build.ts';

/** `./ng start` rebuilds the web app exactly when what it is made of changed (scripts/web-build.ts). */
function tree() {
  const repo = mkdtempSync(path.join(os.tmpdir(), 'ng-webhash-'));
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    writeFileSync(path.join(repo, file), text);
  };
  write('package-lock.json', '{}');
  write('apps/mobile/app/index.tsx', 'a');
  write('apps/mobile/src/ui/button.tsx', 'b');
  return { repo, write, [Symbol.dispose]: () => rmSync(repo, { recursive: true, force: true }) };
}

describe('the web build stamp', () => {
  it('changes with a source file, a new file or the lockfile', () => {
    using t = tree();
    const first = sourceHash(t.repo);
    assert.equal(sourceHash(t.repo), first, 'stable while nothing changes');
    t.write('apps/mobile/src/ui/button.tsx', 'b2');
    const second = sourceHash(t.repo);
    assert.notEqual(second, first);
    t.write('apps/mobile/src/ui/banner.tsx', 'c');
    const third = sourceHash(t.repo);
    assert.notEqual(third, second);
    t.write('package-lock.json', '{"lockfileVersion":3}');
    assert.notEqual(sourceHash(t.repo), third);
  });

  it('ignores tests, dependencies and the build output', () => {
    using t = tree();
    const before = sourceHash(t.repo);
    t.write('apps/mobile/src/ui/button.test.tsx', 'test');
    t.write('apps/mobile/node_modules/x/index.js', 'dep');
    t.write('apps/mobile/dist/web/index.html', 'out');
    t.write('apps/mobile/.expo/types.d.ts', 'gen');
    assert.equal(sourceHash(t.repo), before);
  });

  it('reads the hash a finished build left', () => {
    using t = tree();
    assert.equal(builtHash(path.join(t.repo, 'apps/mobile/dist/web')), undefined);
    t.write('apps/mobile/dist/web/.ng-build-hash', 'abc\n');
    assert.equal(builtHash(path.join(t.repo, 'apps/mobile/dist/web')), 'abc');
  });
});

describe('the web build lock', () => {
  it('runs one build at a time, takes over the lock of a process that is gone, and frees it after', () => {
    using t = tree();
    const mobile = path.join(t.repo, 'apps/mobile');
    const lock = path.join(mobile, 'dist/web.lock');
    assert.equal(
      withBuildLock(mobile, () => {
        assert.ok(existsSync(lock), 'held while the build runs');
        assert.equal(readFileSync(path.join(lock, 'pid'), 'utf8'), String(process.pid));
        return 7;
      }),
      7,
    );
    assert.equal(existsSync(lock), false, 'freed after the build');
    // A lock left by a killed build (its pid no longer runs) does not block the next one.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
    mkdirSync(lock, { recursive: true });
    writeFileSync(path.join(lock, 'pid'), String(gone));
    assert.equal(
      withBuildLock(mobile, () => 0),
      0,
    );
    assert.equal(existsSync(lock), false);
    assert.throws(() =>
      withBuildLock(mobile, () => {
        throw new Error('export failed');
      }),
    );
    assert.equal(existsSync(lock), false, 'freed after a failed build too');
  });
});
