import { createAuditService } from '../../api/src/audit/index.ts';
import {
  type Config,
  ConfigError,
  type Database,
  loadConfig,
  migrate,
  openDatabase,
} from '../../api/src/platform/index.ts';
import { loadWorkerConfig } from './config.ts';
import { deadLetterListMax } from './constants.ts';
import { listDeadLetters, replayDeadLetter } from './dead-letters.ts';
import { describeError } from './errors.ts';
import { startWorker } from './start.ts';

/**
 * `./ng worker`                           runs the worker (outbox consumer, scheduled jobs, /metrics)
 * `./ng worker dead-letters list`         prints the events waiting for an operator
 * `./ng worker dead-letters replay <id>`  re-queues one of them
 * Exit codes: 0 done, 1 nothing to replay under that id, 2 usage, 78 configuration.
 */
const usage = 'usage: worker [run] | worker dead-letters list | worker dead-letters replay <event id>';

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const jsonLog =
  (level: string) =>
  (object: unknown, message?: string): void => {
    const fields = typeof object === 'object' && object !== null ? object : {};
    process.stdout.write(`${JSON.stringify({ level, time: new Date().toISOString(), msg: message, ...fields })}\n`);
  };
const log = { info: jsonLog('info'), warn: jsonLog('warn') };

async function open(): Promise<{ db: Database; config: Config }> {
  try {
    const config = loadConfig();
    return { db: await openDatabase(config, log), config };
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, 78);
    throw error;
  }
}

async function run(): Promise<void> {
  let workerConfig: ReturnType<typeof loadWorkerConfig>;
  try {
    workerConfig = loadWorkerConfig(process.env, 'standalone');
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, 78);
    throw error;
  }
  const { db, config } = await open();
  // The worker may start before any API process: migrations take a lock, so both may run them.
  await migrate(db);
  // The audit job seals the chain and exports its signed head where AUDIT_HEAD_* says (ADR 0055).
  const audit = createAuditService({ db, config });
  const running = await startWorker({ db, config: workerConfig, log, audit });
  // The feed's kind, never NATS_URL: it may carry credentials.
  log.info({ port: running.port, database: db.kind, feed: workerConfig.feed }, 'NextGen worker running');
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await running.stop();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}

async function deadLetters(command: string | undefined, eventId: string | undefined, extra: number): Promise<void> {
  if (extra > 0 || (command === 'list' && eventId !== undefined)) fail(usage, 2);
  if (command !== 'list' && command !== 'replay') fail(usage, 2);
  if (command === 'replay' && (eventId === undefined || !/^evt_[0-9a-z]{1,60}$/.test(eventId))) {
    fail(`replay needs the event id from \`dead-letters list\` (evt_…)\n${usage}`, 2);
  }
  const { db } = await open();
  try {
    if (command === 'list') {
      const letters = await listDeadLetters(db, deadLetterListMax);
      if (letters.length === 0) process.stdout.write('no dead letters\n');
      for (const d of letters) {
        process.stdout.write(
          `${d.eventId}\t${d.topic}\t${d.consumer}\tattempts=${d.attempts}\t${d.deadLetteredAt}\t${d.error}\n`,
        );
      }
      return;
    }
    const id = eventId as string;
    if (!(await replayDeadLetter(db, id))) {
      process.exitCode = 1;
      process.stderr.write(`no open dead letter ${id}: list them with \`./ng worker dead-letters list\`\n`);
      return;
    }
    process.stdout.write(`re-queued ${id}: the worker delivers it again with a fresh attempt count\n`);
  } catch (error) {
    process.exitCode = 1;
    process.stderr.write(`dead-letters ${command} failed: ${describeError(error)}\n`);
  } finally {
    await db.close();
  }
}

const [first, second, third, ...rest] = process.argv.slice(2).filter((a) => a !== '--');
if (first === undefined || first === 'run') {
  if (second !== undefined) fail(usage, 2);
  await run();
} else if (first === 'dead-letters') {
  await deadLetters(second, third, rest.length);
} else {
  fail(usage, 2);
}
