import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { objectStoreContract } from '../infra/objectstore/contract';
import type { ObjectStore } from '../infra/objectstore/objectstore';
import { createS3ObjectStore } from '../infra/objectstore/s3';

const services = inject('services');

// One bucket per test run, so parallel runs never see each other's objects.
const bucket = `strata-test-${randomBytes(6).toString('hex')}`;
const options = {
  endpoint: services.s3Endpoint,
  region: services.s3Region,
  bucket,
  forcePathStyle: true,
  accessKeyId: services.s3AccessKeyId,
  secretAccessKey: services.s3SecretAccessKey,
};

objectStoreContract('s3', () => createS3ObjectStore(options));

describe('s3 object store', () => {
  const open: ObjectStore[] = [];
  afterAll(async () => {
    await Promise.all(open.map((store) => store.close()));
  });

  it('writes objects that a separate S3 client lists', async () => {
    const store = await createS3ObjectStore(options);
    open.push(store);
    const key = `visible/raw/tenant=t1/date=2026-11-27/hour=05/0-1-2.parquet`;
    await store.put(key, Buffer.from('PAR1'));

    const plain = new S3Client({
      endpoint: services.s3Endpoint,
      region: services.s3Region,
      forcePathStyle: true,
      credentials: { accessKeyId: services.s3AccessKeyId, secretAccessKey: services.s3SecretAccessKey },
    });
    try {
      const res = await plain.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'visible/' }));
      expect(res.Contents?.map((object) => [object.Key, object.Size])).toEqual([[key, 4]]);
    } finally {
      plain.destroy();
    }
  });

  it('opens an existing bucket without error', async () => {
    const first = await createS3ObjectStore(options);
    const second = await createS3ObjectStore(options);
    open.push(first, second);
    await first.put('shared/k', Buffer.from('v'));
    expect((await second.get('shared/k'))?.toString()).toBe('v');
  });
});
