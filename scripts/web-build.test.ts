import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { builtHash, sourceHash } from './web-build.ts';

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
