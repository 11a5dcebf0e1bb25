import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Every import of a source folder that leaves it, except the packages allowed (`node:` built-ins
 * when `nodeBuiltins`): static imports, re-exports and dynamic `import('…')`. For packages that must
 * stay self-contained (the app's API client, the pure ML package), as `file: specifier` lines.
 */
export async function importsLeaving(
  sourceDir: string,
  allowed: { readonly packages: ReadonlySet<string>; readonly nodeBuiltins?: boolean },
): Promise<{ readonly files: number; readonly offending: readonly string[] }> {
  const files = (await readdir(sourceDir, { recursive: true })).filter((f) => f.endsWith('.ts'));
  const offending: string[] = [];
  for (const file of files) {
    const text = await readFile(path.join(sourceDir, file), 'utf8');
    const specifiers = [
      ...text.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'/g),
      ...text.matchAll(/import\(\s*'([^']+)'\s*\)/g),
    ].map((match) => match[1] ?? '');
    for (const specifier of specifiers) {
      const inside =
        specifier.startsWith('.') && path.resolve(sourceDir, path.dirname(file), specifier).startsWith(sourceDir);
      const builtin = allowed.nodeBuiltins === true && specifier.startsWith('node:');
      if (!inside && !builtin && !allowed.packages.has(specifier)) offending.push(`${file}: ${specifier}`);
    }
  }
  return { files: files.length, offending };
}
