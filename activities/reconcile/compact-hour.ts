/**
 * Compaction of an hour's archive files, inside reconciliation (DESIGN "Data model"): the files a
 * run read become one, in this order: the compacted object is stored; its manifest row is added,
 * naming the files it replaces; the run publishes with the compacted file as what it read; only
 * then are the inputs deleted. Whatever step a crash interrupts, the hour either holds every event
 * (the compacted file, or its inputs) and is clean with the published numbers, or its manifest
 * differs from what the published run read, so it is dirty and the next run sets it right.
 */
import { readFile } from 'node:fs/promises';
import { archiveHourPrefix, compactedKey } from '../../core/archive';
import { uuidv7 } from '../../core/uuid';
import type { ObjectStore } from '../../infra/objectstore/objectstore';
import type { OlapStore } from '../../infra/olap/olap';
import { createSequence, listReplacedFiles, recordCompactedFile } from '../../stream/archive/manifest';

export interface CompactionDeps {
  olap: OlapStore;
  objects: ObjectStore;
}

export interface Compaction {
  tenant: string;
  /** Hour start, epoch ms. */
  hour: number;
  /** The compacted file, local (dedupe-hour.ts wrote it). */
  path: string;
  events: number;
  /** The archive files it was compacted from. */
  replaces: readonly string[];
}

const seq = createSequence();

/**
 * Stores the compacted file and registers it as replacing its inputs; returns its key. Until its
 * row is added the object is unreferenced (a crash leaves it unread); after, the inputs are no
 * longer the hour's, so the published run, which read them, no longer matches: dirty until the
 * run that compacted them publishes.
 */
export async function storeCompacted(deps: CompactionDeps, compaction: Compaction): Promise<string> {
  const key = compactedKey(compaction.tenant, compaction.hour, uuidv7());
  const body = await readFile(compaction.path);
  await deps.objects.put(key, body);
  await recordCompactedFile(deps.olap, {
    tenant: compaction.tenant, hour: compaction.hour, key, events: compaction.events, bytes: body.length, replaces: compaction.replaces,
  }, seq);
  return key;
}

/**
 * Deletes the objects of the hour's replaced files that still exist: this run's inputs once it has
 * published, and any a crashed run left. Safe whenever it runs: a file is replaced only once the
 * file that holds its events is stored and registered. A failed delete is not retried here: a
 * later run of the hour tries again. Returns the keys it could not delete.
 */
export async function deleteReplaced(deps: CompactionDeps, tenant: string, hour: number): Promise<string[]> {
  const replaced = new Set(await listReplacedFiles(deps.olap, tenant, hour));
  if (replaced.size === 0) return [];
  const garbage = (await deps.objects.list(archiveHourPrefix(tenant, hour))).filter((key) => replaced.has(key));
  const outcomes = await Promise.allSettled(garbage.map((key) => deps.objects.delete(key)));
  return garbage.filter((_, i) => outcomes[i]?.status === 'rejected');
}
