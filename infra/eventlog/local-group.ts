/**
 * Consumer groups of the local log, all in one process. Members of a group split the
 * partitions round-robin; a join or leave revokes moved partitions (waiting for their batch in
 * flight) before the new owner starts from the committed position, so one partition is never
 * delivered twice at once. Each owned partition runs its own delivery loop.
 */
import type { Logger } from 'pino';
import type { LogPositions, SubscribeOptions, Subscription } from './eventlog';
import type { GroupStore } from './group-store';
import type { PartitionLog } from './partition-log';

const MAX_BATCH_RECORDS = 5000;
const MAX_BATCH_BYTES = 4 << 20;
/** A safety net: the writer wakes readers on every append, this bounds a missed wake-up. */
const POLL_MS = 1000;

interface Member {
  options: SubscribeOptions;
  active: boolean;
  deliveries: Map<number, Delivery>;
  stopped?: Promise<void>;
}

interface GroupState {
  members: Member[];
  /** Rebalances of one group run one after another. */
  chain: Promise<void>;
}

/** The loop that feeds one partition to one member. */
class Delivery {
  private stopping = false;
  readonly done: Promise<void>;

  constructor(
    private readonly log: PartitionLog,
    from: number,
    onBatch: SubscribeOptions['onBatch'],
    onError: (err: unknown) => void,
  ) {
    this.done = this.run(from, onBatch).catch(onError);
  }

  private async run(from: number, onBatch: SubscribeOptions['onBatch']): Promise<void> {
    const reader = await this.log.reader(from);
    try {
      while (!this.stopping) {
        const records = await reader.read(MAX_BATCH_RECORDS, MAX_BATCH_BYTES);
        if (records.length > 0) await onBatch({ partition: this.log.partition, records });
        else await this.log.waitBeyond(reader.offset, POLL_MS);
      }
    } finally {
      await reader.close();
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.log.wakeAll();
    await this.done;
  }
}

export class LocalGroups {
  private readonly groups = new Map<string, GroupState>();

  constructor(
    private readonly logs: readonly PartitionLog[],
    private readonly store: GroupStore,
    private readonly logger: Logger,
  ) {}

  /** Adds a member to its group and resolves once its partitions are assigned and running. */
  async join(options: SubscribeOptions): Promise<Subscription> {
    const state = this.groups.get(options.group) ?? { members: [], chain: Promise.resolve() };
    this.groups.set(options.group, state);
    const member: Member = { options, active: true, deliveries: new Map() };
    state.members.push(member);
    await this.rebalance(options.group, state);
    const stop = (): Promise<void> => {
      member.active = false;
      // stop() resolves whatever happened before; errors were logged where they occurred.
      member.stopped ??= this.rebalance(options.group, state).catch((err: unknown) => {
        this.logger.error({ err, group: options.group }, 'event log: stopping a subscription failed');
      });
      return member.stopped;
    };
    return {
      commit: (positions: LogPositions) => this.store.save(options.group, positions),
      assigned: () => [...member.deliveries.keys()].sort((a, b) => a - b),
      stop,
    };
  }

  /** Stops every member of every group (the log is closing). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.groups].map(([group, state]) => {
      for (const member of state.members) member.active = false;
      return this.rebalance(group, state);
    }));
  }

  private rebalance(group: string, state: GroupState): Promise<void> {
    // A failed rebalance must not wedge the chain for the ones after it.
    const run = state.chain.catch(() => {}).then(() => this.assign(group, state));
    state.chain = run;
    return run;
  }

  private async assign(group: string, state: GroupState): Promise<void> {
    const active = state.members.filter((m) => m.active);
    const owner = (p: number): Member | undefined => active[p % active.length];
    // Revoke first, so that a partition's old owner has finished before its new one starts.
    await Promise.all(state.members.flatMap((member) =>
      [...member.deliveries].filter(([p]) => owner(p) !== member).map(async ([p, delivery]) => {
        await delivery.stop();
        member.deliveries.delete(p);
      })));
    state.members = active;
    if (active.length === 0) return;
    const committed = await this.store.load(group);
    for (const log of this.logs) {
      const member = owner(log.partition)!;
      if (member.deliveries.has(log.partition)) continue;
      const start = committed.get(log.partition) ?? (member.options.from === 'latest' ? log.endOffset : log.startOffset);
      member.deliveries.set(log.partition, new Delivery(log, start, member.options.onBatch, (err) => this.fail(group, state, member, err)));
    }
  }

  /** A failed batch stops the whole member, like a crashed consumer; others take over. */
  private fail(group: string, state: GroupState, member: Member, err: unknown): void {
    if (!member.active) return; // a sibling partition's failure already stopped it
    this.logger.error({ err, group }, 'event log: onBatch failed; the subscription stops');
    member.active = false;
    member.stopped ??= this.rebalance(group, state).catch((e: unknown) => {
      this.logger.error({ err: e, group }, 'event log: rebalancing after a failure failed');
    });
  }
}
