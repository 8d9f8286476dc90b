/**
 * Request and reply over a worker thread: every request carries an id, every reply answers one,
 * and a thread that dies fails exactly the requests it held. The ingest pool and the speed layer's
 * fold thread both use it.
 */
import { Worker } from 'node:worker_threads';

export interface ThreadReply { id: number }

export interface Thread<Req, Rep extends ThreadReply> {
  /** Requests sent and not yet answered. */
  readonly inFlight: number;
  /** Settles once the thread's module has loaded, or once the thread has died without loading. */
  readonly loaded: Promise<void>;
  /** Sends a request and waits for its reply. */
  call(request: Omit<Req, 'id'>, transfer?: ArrayBuffer[]): Promise<Rep>;
  /** Sends a message that gets no reply (it is still handled in order with the requests). */
  post(message: unknown, transfer?: ArrayBuffer[]): void;
  close(): Promise<void>;
}

export interface ThreadOptions {
  /**
   * Settings the thread reads once at start, as `workerData.data` (see ThreadData), so that
   * they need not travel with every request. Structured-cloned.
   */
  data?: unknown;
  /** Turns a dead thread (or a closed one) into the error its pending calls reject with. */
  failure: (why: string) => Error;
  /** Receives what the thread sends of its own accord: any message without a reply's `id`. */
  onMessage?: (message: unknown) => void;
  /** Called when the thread exits unexpectedly, after its pending calls are failed. */
  onExit?: () => void;
}

/**
 * The threads allocate an object per event and let it die young; under load V8's collector
 * helpers took a third of a core. A larger young generation collects less often (measured:
 * about 8% more ingest throughput, within the bench's noise). It is a ceiling, grown on demand.
 */
const YOUNG_GENERATION_MB = 192;

/** What a thread finds in `workerData`: its module, and the `data` option it was started with. */
export interface ThreadData<T> {
  module: string;
  data?: T;
}

/** Wraps bytes that arrived from a thread as a Buffer without copying them (Buffer.from of a Uint8Array copies). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Starts `module` (a TypeScript file URL) on a worker thread. */
export function startThread<Req, Rep extends ThreadReply>(module: URL, options: ThreadOptions): Thread<Req, Rep> {
  const worker = new Worker(new URL('./thread-entry.mjs', import.meta.url), {
    workerData: { module: module.href, data: options.data } satisfies ThreadData<unknown>,
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  const waiting = new Map<number, { done: (reply: Rep) => void; fail: (err: Error) => void }>();
  let nextId = 0;
  let closing = false;
  /** Why the thread is gone, once it is: a call then fails at once instead of waiting forever. */
  let gone: string | undefined;
  let markLoaded = (): void => undefined;
  const loaded = new Promise<void>((settle) => (markLoaded = settle));

  const failAll = (why: string) => {
    const err = options.failure(why);
    for (const w of waiting.values()) w.fail(err);
    waiting.clear();
  };
  worker.on('message', (reply: Rep) => {
    if ((reply as { threadLoaded?: boolean }).threadLoaded === true) return markLoaded();
    if (typeof reply.id !== 'number') return options.onMessage?.(reply);
    const w = waiting.get(reply.id);
    waiting.delete(reply.id);
    w?.done(reply);
  });
  worker.on('error', (err) => failAll(err.message));
  worker.on('exit', (code) => {
    markLoaded();
    gone = closing ? 'the thread was closed' : `the thread exited with code ${code}`;
    failAll(gone);
    if (!closing) options.onExit?.();
  });

  return {
    get inFlight() {
      return waiting.size;
    },
    loaded,
    call(request, transfer = []) {
      if (closing || gone) return Promise.reject(options.failure(gone ?? 'the thread was closed'));
      const id = nextId++;
      return new Promise((done, fail) => {
        waiting.set(id, { done, fail });
        worker.postMessage({ ...request, id }, transfer);
      });
    },
    post(message, transfer = []) {
      worker.postMessage(message, transfer);
    },
    async close() {
      closing = true;
      await worker.terminate();
      failAll('the thread was closed');
    },
  };
}
