/**
 * A load generator that behaves like a careful client: bodies of events with client event ids,
 * posted at a steady rate; a body counts as acknowledged only on a 200 `accepted` reply, and any
 * other outcome (refused connection, reset, 503, timeout) sends the very same body again later
 * until it is. So at the end every generated event is acknowledged, some of them more than once.
 */
const EVENTS = ['page_view', 'click', 'purchase'];
const COUNTRIES = ['US', 'DE', 'FR', 'JP', 'BR'];
const DEVICES = ['mobile', 'desktop', 'tablet'];

export interface LoadOptions {
  /** Base URL of the ingest API, read before every request (it may move between restarts). */
  url: () => string;
  tenant: string;
  /** Prefix of the client event ids, unique to the run. */
  idPrefix: string;
  eventsPerSecond: number;
  /** @default 100 */
  bodySize?: number;
  /** Requests in flight at once. @default 4 */
  concurrency?: number;
  /** @default 15_000 */
  requestTimeoutMs?: number;
}

export interface LoadStats {
  generatedEvents: number;
  ackedEvents: number;
  attempts: number;
  /** Attempts that were refused before they reached a server: certainly not appended. */
  refused: number;
  /** 503 replies: the server said nothing of the body was accepted. */
  unavailable: number;
  /** Resets, aborts and timeouts after the body was sent: it may have been appended anyway. */
  ambiguous: number;
  /** Events in ambiguous attempts: an upper bound on the copies a retry added to the log. */
  ambiguousEvents: number;
  /** Replies that a correct server never gives to these bodies (4xx, partial, a wrong count). */
  unexpected: string[];
}

export interface Load {
  /** Every generated id, acknowledged or not yet. */
  readonly generated: ReadonlySet<string>;
  /** Acknowledged ids in the order their acknowledgements arrived. */
  readonly acked: readonly string[];
  stats(): LoadStats;
  /** Stops making new bodies; the ones made are still sent until acknowledged. */
  stopGenerating(): void;
  /** Resolves once every generated body is acknowledged, or throws past the deadline. */
  drained(timeoutMs: number): Promise<void>;
  /** Stops the workers (without waiting for acknowledgements). */
  close(): Promise<void>;
}

interface Body {
  ids: string[];
  json: string;
  notBefore: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

export function startLoad(options: LoadOptions): Load {
  const bodySize = options.bodySize ?? 100;
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const generated = new Set<string>();
  const acked: string[] = [];
  const queue: Body[] = [];
  const stats: LoadStats = { generatedEvents: 0, ackedEvents: 0, attempts: 0, refused: 0, unavailable: 0, ambiguous: 0, ambiguousEvents: 0, unexpected: [] };
  let inFlight = 0;
  let seq = 0;
  let generating = true;
  let closed = false;
  const t0 = Date.now();

  const makeBody = (): Body => {
    const now = Date.now();
    const events = [];
    const ids: string[] = [];
    for (let i = 0; i < bodySize; i++) {
      const id = `${options.idPrefix}-${seq++}`;
      ids.push(id);
      generated.add(id);
      events.push({
        event: pick(EVENTS), event_id: id, timestamp: now, user_id: `u${Math.floor(Math.random() * 5000)}`,
        country: pick(COUNTRIES), device: pick(DEVICES),
      });
    }
    stats.generatedEvents += bodySize;
    return { ids, json: JSON.stringify(events), notBefore: 0 };
  };

  // Bodies are made on a clock, not on replies: while the server is down they pile up, as they
  // would in a client's buffer, and are sent once it answers again.
  const ticker = setInterval(() => {
    if (!generating) return;
    const due = Math.floor(((Date.now() - t0) / 1000) * options.eventsPerSecond / bodySize);
    while (seq / bodySize < due) queue.push(makeBody());
  }, 20);

  const retry = (body: Body): void => {
    body.notBefore = Date.now() + 250;
    queue.push(body);
  };

  const send = async (body: Body): Promise<void> => {
    stats.attempts += 1;
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${options.url()}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'strata-tenant': options.tenant },
        body: body.json,
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      if (refused(err)) stats.refused += 1;
      else {
        stats.ambiguous += 1;
        stats.ambiguousEvents += body.ids.length;
      }
      retry(body);
      return;
    }
    if (res.status === 200) {
      const reply = JSON.parse(text) as { status?: string; count?: number };
      if (reply.status === 'accepted' && reply.count === body.ids.length) {
        for (const id of body.ids) acked.push(id);
        stats.ackedEvents += body.ids.length;
        return;
      }
    } else if (res.status === 503) {
      stats.unavailable += 1;
      retry(body);
      return;
    }
    // Not an acknowledgement either: kept, so that the test fails naming it, and retried.
    if (stats.unexpected.length < 20) stats.unexpected.push(`${res.status} ${text.slice(0, 300)}`);
    retry(body);
  };

  const worker = async (): Promise<void> => {
    while (!closed) {
      const now = Date.now();
      const index = queue.findIndex((b) => b.notBefore <= now);
      if (index < 0) {
        await sleep(10);
        continue;
      }
      const [body] = queue.splice(index, 1);
      inFlight += 1;
      try {
        await send(body!);
      } finally {
        inFlight -= 1;
      }
    }
  };
  const workers = Array.from({ length: options.concurrency ?? 4 }, () => worker());

  return {
    generated,
    acked,
    stats: () => ({ ...stats, unexpected: [...stats.unexpected] }),
    stopGenerating() {
      generating = false;
      clearInterval(ticker);
    },
    async drained(timeout) {
      const deadline = Date.now() + timeout;
      while (queue.length > 0 || inFlight > 0) {
        if (Date.now() > deadline) {
          throw new Error(`timed out with ${queue.length} bodies unacknowledged and ${inFlight} in flight (${JSON.stringify(stats)})`);
        }
        await sleep(50);
      }
    },
    async close() {
      generating = false;
      clearInterval(ticker);
      closed = true;
      await Promise.all(workers);
    },
  };
}

/** Whether a fetch failed because nothing listened (undici wraps the system error in `cause`). */
function refused(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ((e as NodeJS.ErrnoException).code === 'ECONNREFUSED') return true;
  }
  return false;
}
