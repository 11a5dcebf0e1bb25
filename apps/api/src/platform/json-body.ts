import { jsonDepthMax } from './constants.ts';
import { badRequest } from './errors.ts';

/**
 * Rejects JSON nested deeper than `maxDepth` before parsing it, so a hostile body cannot spend the
 * parser's or validator's stack. A linear scan that skips string contents.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i += 1;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91 /* { [ */) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (c === 125 || c === 93 /* } ] */) depth -= 1;
  }
  return deepest;
}

export function assertJsonDepth(text: string, maxDepth = jsonDepthMax): void {
  if (jsonDepth(text) > maxDepth) {
    throw badRequest(
      'json_too_deep',
      `The JSON body is nested more than ${maxDepth} levels deep. Send a flatter document.`,
    );
  }
}
