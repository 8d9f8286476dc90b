/**
 * The seed's example calls, written once and run against every mode.
 */
import { expect, it } from 'vitest';
import { call, eventually, post } from './http';

interface Point { t: string; value: number; layer: string }

export const SEED_EVENTS = [
  { event: 'page_view', user_id: 123, page: '/home', country: 'US', device: 'mobile' },
  { event: 'click', user_id: 123, element: 'button', country: 'US', device: 'mobile' },
];

export function seedCalls(baseUrl: () => string): void {
  let postedAt = 0;
  it('POST /events accepts the seed body', async () => {
    postedAt = Date.now();
    const reply = await post(`${baseUrl()}/events`, SEED_EVENTS);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'accepted', count: 2 });
  });

  it('GET /metrics breaks page views down by country, filtered to mobile', async () => {
    const rows = await eventually(async () => {
      const reply = await call<unknown[]>(`${baseUrl()}/metrics?name=page_views&range=7d&group_by=country&filter=device:mobile`);
      expect(reply.status).toBe(200);
      return reply.body.length > 0 ? reply.body : undefined;
    }, 'the seed events to become queryable');
    expect(rows).toEqual([{ country: 'US', value: 1, layer: 'speed' }]);
  });

  it('GET /metrics serves a 169-point hourly series holding that 1', async () => {
    const before = Date.now();
    const reply = await call<{ granularity: string; points: Point[] }>(`${baseUrl()}/metrics?name=page_views&range=7d&country=US`);
    expect(reply.status).toBe(200);
    expect(reply.body.granularity).toBe('1h');
    const points = reply.body.points;
    // 169 unless the request landed exactly on an hour boundary, when the current hour is not open yet.
    expect(points.length).toBe(before % 3_600_000 === 0 ? 168 : 169);
    expect(points.reduce((sum, p) => sum + p.value, 0)).toBe(1);
    const hit = points.find((p) => p.value === 1) as Point;
    expect(Date.parse(hit.t)).toBe(Math.floor(postedAt / 3_600_000) * 3_600_000);
    expect(Date.parse((points[points.length - 1] as Point).t)).toBe(Math.floor(before / 3_600_000) * 3_600_000);
    expect(points.every((p) => p.layer === 'speed')).toBe(true);
  });
}
