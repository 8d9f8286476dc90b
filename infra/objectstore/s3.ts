import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { ObjectStore } from './objectstore';

export interface S3ObjectStoreOptions {
  /** An S3-compatible endpoint such as `http://127.0.0.1:14569`. @default AWS S3 for the region */
  endpoint?: string;
  bucket: string;
  region: string;
  /** Address buckets as `endpoint/bucket` rather than `bucket.endpoint` (most S3-compatible stores need it). */
  forcePathStyle: boolean;
  /** @default the SDK's credential chain (environment, profile, instance role) */
  accessKeyId?: string;
  /** @default the SDK's credential chain (environment, profile, instance role) */
  secretAccessKey?: string;
}

/**
 * An object store in an S3 bucket (or an S3-compatible store), created if it does not exist.
 * A put resolves once the store has acknowledged the object, which S3 makes durable.
 */
export async function createS3ObjectStore(options: S3ObjectStoreOptions): Promise<ObjectStore> {
  const { bucket } = options;
  const client = new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.accessKeyId !== undefined && options.secretAccessKey !== undefined
      ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
      : {}),
  });

  try {
    await ensureBucket(client, bucket);
  } catch (err) {
    client.destroy();
    throw err;
  }

  return {
    async put(key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },

    async get(key) {
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (res.Body === undefined) return Buffer.alloc(0);
        const bytes = await res.Body.transformToByteArray();
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (err) {
        if (isNotFound(err) && errorName(err) !== 'NoSuchBucket') return undefined;
        throw err;
      }
    },

    async list(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          if (object.Key !== undefined) keys.push(object.Key);
        }
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      // S3 already returns keys in ascending UTF-8 byte order, page after page.
      return keys;
    },

    async delete(key) {
      // S3 answers 204 for a missing key too.
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },

    async close() {
      client.destroy();
    },
  };
}

async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    // HEAD first: a role that may write objects is often not allowed to create buckets.
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    // Another process created it between our HEAD and CREATE.
    if (errorName(err) !== 'BucketAlreadyOwnedByYou') throw err;
  }
}

/** A missing key or bucket; a missing bucket during get() is a misconfiguration, so callers check. */
function isNotFound(err: unknown): boolean {
  const name = errorName(err);
  return name === 'NoSuchKey' || name === 'NotFound' || httpStatus(err) === 404;
}

function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

function httpStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('$metadata' in err)) return undefined;
  const metadata = (err as { $metadata?: { httpStatusCode?: number } }).$metadata;
  return metadata?.httpStatusCode;
}
