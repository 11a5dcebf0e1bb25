import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { maxLineLength, maxReportedErrors } from '../constants.ts';
import { InterchangeError, RowSequence } from './check.ts';
import type { Transaction } from './format.ts';
import { type Tally, TallyCounter } from './tally.ts';

/** A line of the input, or the error that stops it from being a row. */
function parseLine(line: number, text: string, sequence: RowSequence): Transaction | InterchangeError {
  if (text.length > maxLineLength)
    return new InterchangeError(line, null, `is longer than ${maxLineLength} characters`);
  if (text.trim() === '') return new InterchangeError(line, null, 'is empty (one transaction a line, no blank lines)');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return new InterchangeError(line, null, 'is not valid JSON');
  }
  return sequence.accept(line, value);
}

/** Lines of a stream, LF or CRLF; a last line without a newline counts. */
async function* linesOf(input: Readable): AsyncGenerator<string> {
  yield* createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
}

/**
 * The lines of a JSON Lines file with their numbers (from 1), strictly: a line too long or blank
 * throws an InterchangeError naming it. The labels readers (fraud and category) parse each line.
 */
export async function* strictLinesOf(file: string): AsyncGenerator<{ readonly text: string; readonly line: number }> {
  let line = 0;
  for await (const text of linesOf(createReadStream(file, 'utf8'))) {
    line += 1;
    if (text.length > maxLineLength)
      throw new InterchangeError(line, null, `is longer than ${maxLineLength} characters`);
    if (text.trim() === '') throw new InterchangeError(line, null, 'is empty');
    yield { text, line };
  }
}

/**
 * Reads a file of the format row by row, holding one line at a time (and the ids seen), and throws an
 * InterchangeError with the line number and field at the first malformed row.
 */
export async function* readTransactions(input: Readable): AsyncGenerator<Transaction> {
  const sequence = new RowSequence();
  let line = 0;
  for await (const text of linesOf(input)) {
    line++;
    const row = parseLine(line, text, sequence);
    if (row instanceof InterchangeError) {
      input.destroy();
      throw row;
    }
    yield row;
  }
}

export function readTransactionFile(path: string): AsyncGenerator<Transaction> {
  return readTransactions(createReadStream(path, { encoding: 'utf8' }));
}

export interface ValidationReport {
  lines: number;
  /** The first errors, at most `maxErrors`; reading stops at the last of them. */
  errors: InterchangeError[];
  /** Counts over the rows that were valid. */
  tally: Tally;
}

/** Checks every row, going on past errors until `maxErrors` of them, and counts what it read. */
export async function validateTransactions(input: Readable, maxErrors = maxReportedErrors): Promise<ValidationReport> {
  const sequence = new RowSequence();
  const counter = new TallyCounter();
  const errors: InterchangeError[] = [];
  let line = 0;
  for await (const text of linesOf(input)) {
    line++;
    const row = parseLine(line, text, sequence);
    if (row instanceof InterchangeError) {
      errors.push(row);
      if (errors.length >= maxErrors) {
        input.destroy();
        break;
      }
    } else {
      counter.add(row);
    }
  }
  return { lines: line, errors, tally: counter.result() };
}
