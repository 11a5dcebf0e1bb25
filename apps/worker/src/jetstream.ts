import {
  AckPolicy,
  type Consumer,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';
import type { NatsSettings } from './config.ts';
import { natsConnectTimeoutMs, natsMaxAckPending, natsStreamMaxAgeMs } from './constants.ts';

/**
 * The worker's one NATS connection (ADR 0100), opened lazily so that a worker starts while NATS is
 * down: the relay and the feed call `open()` on every step, which answers the live connection or
 * tries once to connect and throws. Once connected, the client reconnects by itself for ever; while
 * it is disconnected `connected()` is false and /readyz says so.
 */
export interface JetStreamLink {
  open(): Promise<{ js: JetStreamClient; consumer: Consumer }>;
  connected(): boolean;
  close(): Promise<void>;
}

export interface LinkOptions {
  readonly settings: NatsSettings;
  /** Deliveries before JetStream stops redelivering a message (the feed's maxAttempts + 1). */
  readonly maxDeliver: number;
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

/** Creates the stream when missing; an existing stream is used as it is (an operator may have tuned it). */
async function ensureStream(jsm: JetStreamManager, settings: NatsSettings): Promise<void> {
  try {
    await jsm.streams.info(settings.stream);
  } catch (error) {
    if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
    await jsm.streams.add({
      name: settings.stream,
      subjects: [`${settings.subjectPrefix}.>`],
      // Limits, not a work queue: other systems may read the same stream with consumers of their own.
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      duplicate_window: nanos(settings.duplicateWindowMs),
      max_age: nanos(natsStreamMaxAgeMs),
    });
  }
}

/** Creates the durable pull consumer, or brings an existing one to the configured limits. */
async function ensureConsumer(jsm: JetStreamManager, settings: NatsSettings, maxDeliver: number): Promise<void> {
  const limits = { ack_wait: nanos(settings.ackWaitMs), max_deliver: maxDeliver, max_ack_pending: natsMaxAckPending };
  try {
    await jsm.consumers.info(settings.stream, settings.consumer);
    await jsm.consumers.update(settings.stream, settings.consumer, limits);
  } catch (error) {
    if (!isApiError(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
    await jsm.consumers.add(settings.stream, {
      durable_name: settings.consumer,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: `${settings.subjectPrefix}.>`,
      ...limits,
    });
  }
}

export function createJetStreamLink(options: LinkOptions): JetStreamLink {
  const { settings } = options;
  let current: { nc: NatsConnection; js: JetStreamClient; consumer: Consumer } | undefined;
  let opening: Promise<{ js: JetStreamClient; consumer: Consumer }> | undefined;
  let disconnected = false;
  let closed = false;

  async function watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') disconnected = true;
      if (status.type === 'reconnect') disconnected = false;
    }
  }

  async function openOnce(): Promise<{ js: JetStreamClient; consumer: Consumer }> {
    const nc = await connect({
      servers: [...settings.servers],
      name: 'nextgen-worker',
      timeout: natsConnectTimeoutMs,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
    });
    try {
      const jsm = await jetstreamManager(nc);
      await ensureStream(jsm, settings);
      await ensureConsumer(jsm, settings, options.maxDeliver);
      const js = jetstream(nc);
      const consumer = await js.consumers.get(settings.stream, settings.consumer);
      disconnected = false;
      void watch(nc);
      nc.closed().then(() => {
        if (current?.nc === nc) current = undefined;
      });
      current = { nc, js, consumer };
      return current;
    } catch (error) {
      await nc.close().catch(() => {});
      throw error;
    }
  }

  return {
    open() {
      if (closed) return Promise.reject(new Error('the NATS link is closed'));
      if (current && !current.nc.isClosed()) return Promise.resolve(current);
      opening ??= openOnce().finally(() => {
        opening = undefined;
      });
      return opening;
    },
    connected() {
      return current !== undefined && !current.nc.isClosed() && !disconnected;
    },
    async close() {
      closed = true;
      await opening?.catch(() => {});
      const nc = current?.nc;
      current = undefined;
      // drain() lets acknowledgements in flight reach the server before the socket closes.
      if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
    },
  };
}
