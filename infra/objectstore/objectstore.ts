/**
 * Object storage: a local directory (fs.ts) or S3 and compatible stores (s3.ts), with the same keys.
 */
export interface ObjectStore {
  /** Resolves once the object is durable (fsync'd, or acknowledged by the store). Overwrites. */
  put(key: string, body: Buffer): Promise<void>;
  /** The object's bytes, or undefined when there is no such key. */
  get(key: string): Promise<Buffer | undefined>;
  /** Every key under a prefix, sorted ascending. */
  list(prefix: string): Promise<string[]>;
  /** Removes a key; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}
