import { describe, expect, it } from 'vitest';
import { currentDays, hoursOf, layerOf, wholeDaysOf } from './layers';
import { parseMetricsRequest } from './metrics-request';
import { bucketMs, planDayBuilds, planMetrics, planPublishedHours } from './planner';
import { DAY_MS, HOUR_MS } from './time';

const now = Date.parse('2026-11-20T12:00:00Z');
const h10 = Date.parse('2026-11-20T10:00:00Z');
const h11 = h10 + HOUR_MS;
const table = (name: string) => `db.${name}`;
const window = { from: '2026-11-20T10:00:00Z', to: '2026-11-20T12:00:00Z' };

describe('planMetrics over the layers', () => {
  it('reads only speed rows while no hour of the window is published', () => {
    const plan = planMetrics(parseMetricsRequest({ name: 'page_views', granularity: 'all', ...window }, now), 't', table, new Map());
    expect(plan.total?.sql).toContain('FROM db.rollup_speed_geo_device WHERE tenant = {tenant:String}');
    expect(plan.total?.sql).not.toContain('rollup_batch');
    expect(plan.total?.params).toMatchObject({ speed_hours: [h10 / 1000, h11 / 1000] });
    expect(plan.total?.params).not.toHaveProperty('hour_hours');
  });

  it('unions unpublished speed hours with the published batch version, tenant on both, values as parameters', () => {
    const request = parseMetricsRequest({ name: 'page_views', group_by: 'country', filter: "country:US'--", ...window }, now);
    const plan = planMetrics(request, 't', table, new Map([[h10, 1234]]));
    const sql = plan.ranking?.sql ?? '';
    expect(sql).toMatch(/FROM \(SELECT minute, .* FROM db\.rollup_speed_geo_device WHERE .* UNION ALL SELECT bucket AS minute, .* FROM db\.rollup_batch_geo_device WHERE /s);
    expect(sql.match(/tenant = \{tenant:String\}/g)).toHaveLength(2);
    expect(sql.match(/country IN \{f0:Array\(String\)\}/g)).toHaveLength(2);
    expect(sql).not.toContain("US'");
    // The window is whole hours, so the breakdown reads the batch side's 1h rows.
    expect(sql).toContain("granularity = '1h'");
    expect(plan.ranking?.params).toMatchObject({ tenant: 't', hour_hours: [h10 / 1000], hour_versions: [1234], speed_hours: [h11 / 1000], f0: ["US'--"] });
  });

  it('reads 1h batch rows alone when every hour is published and the buckets are whole hours', () => {
    const request = parseMetricsRequest({ name: 'unique_users', granularity: '1h', ...window }, now);
    const plan = planMetrics(request, 't', table, new Map([[h10, 1], [h11, 2]]));
    const sql = plan.series?.([]).sql ?? '';
    expect(sql).not.toContain('rollup_speed');
    expect(sql).toContain("granularity = '1h'");
    // No dimension asked for: one row an hour, whose exact count is the point.
    expect(sql).toContain('FROM db.rollup_batch_total');
    expect(sql).toContain('sumIf(users_exact, exact = 1)');
    expect(sql).not.toContain('uniqExactMerge');
  });

  it('flags exact only the buckets read wholly from exact rows, and merges one kind per bucket', () => {
    const request = parseMetricsRequest({ name: 'unique_users', granularity: '1h', ...window }, now);
    const plan = planMetrics(request, 't', table, new Map([[h10, 1]]));
    const series = plan.series?.([]);
    expect(series?.sql).toMatch(/FROM db\.rollup_speed_geo_device .* UNION ALL .* FROM db\.rollup_batch_total /s);
    // Each part brings only the state its buckets merge: the speed hour its uniqCombined states,
    // the published hour its exact count, and an empty state of the other kind.
    expect(series?.sql).toMatch(/users, arrayReduce\('uniqExactState', emptyArrayString\(\)\) AS users_set, 0 AS users_exact, 0 AS exact FROM db\.rollup_speed/);
    expect(series?.sql).toMatch(/arrayReduce\('uniqCombinedState', emptyArrayString\(\)\) AS users, users_set, users_exact, 1 AS exact FROM db\.rollup_batch_total/);
    expect(series?.params).toMatchObject({ hour_hours: [h10 / 1000], speed_hours: [h11 / 1000] });
    expect(series?.sql).toContain('uniqCombinedMergeIf(users, exact = 0)');
  });

  it('merges approximate states only for a bucket that holds a speed hour', () => {
    const request = parseMetricsRequest({ name: 'unique_users', granularity: 'all', ...window }, now);
    const sql = planMetrics(request, 't', table, new Map([[h10, 1]])).total?.sql ?? '';
    expect(sql).toContain('uniqCombinedMerge(users)');
    expect(sql).not.toMatch(/uniqExact|users_exact/);
  });

  it('reads a cube with the event for metrics that count one event', () => {
    const request = parseMetricsRequest({ name: 'page_views,unique_users', granularity: '1h', ...window }, now);
    const sql = planMetrics(request, 't', table, new Map([[h10, 1], [h11, 2]])).series?.([]).sql ?? '';
    expect(sql).toContain('FROM db.rollup_batch_geo_device');
    expect(sql).toContain('uniqExactMergeIf(users_set, exact = 1)');
  });

  it('keeps 1m batch rows for minute buckets or a window that cuts an hour', () => {
    const minutes = parseMetricsRequest({ name: 'events', granularity: '1m', ...window }, now);
    expect(planMetrics(minutes, 't', table, new Map([[h10, 1]])).series?.([]).sql).toContain("granularity = '1m'");
    const cut = parseMetricsRequest({ name: 'events', granularity: 'all', from: '2026-11-20T10:04:00Z', to: '2026-11-20T10:31:00Z' }, now);
    expect(planMetrics(cut, 't', table, new Map([[h10, 1]])).total?.sql).toContain("granularity = '1m'");
  });

  it('asks the reconciliation state for every hour the window touches', () => {
    const query = planPublishedHours(parseMetricsRequest({ name: 'events', granularity: 'all', from: '2026-11-20T10:04:00Z', to: '2026-11-20T11:31:00Z' }, now), 't', table);
    expect(query.sql).toContain('FROM db.reconcile_state');
    expect(query.params).toEqual({ tenant: 't', from: h10 / 1000, to: Date.parse('2026-11-20T11:31:00Z') / 1000 });
  });
});

describe('planMetrics over day rows and exact user sets', () => {
  const d18 = Date.parse('2026-11-18T00:00:00Z');
  const d19 = d18 + DAY_MS;
  const later = Date.parse('2026-11-25T00:00:00Z');
  const allHours = (day: number, version: number) => Array.from({ length: 24 }, (_, i) => [day + i * HOUR_MS, version] as const);
  const published = new Map([...allHours(d18, 7), ...allHours(d19, 8)]);
  const twoDays = { from: '2026-11-18T00:00:00Z', to: '2026-11-20T00:00:00Z' };

  it('reads current day rows for daily buckets, merging exact user sets', () => {
    const request = parseMetricsRequest({ name: 'unique_users', granularity: '1d', filter: 'country:US', ...twoDays }, later);
    const sql = planMetrics(request, 't', table, published, new Map([[d18, 70], [d19, 80]])).series?.([]);
    expect(sql?.sql).toContain('FROM db.rollup_day_geo_device');
    expect(sql?.sql).not.toContain('rollup_batch');
    expect(sql?.sql).toContain('uniqExactMergeIf(users_set, exact = 1)');
    expect(sql?.params).toMatchObject({ days: [d18 / 1000, d19 / 1000], day_versions: [70, 80] });
  });

  it('reads each current day\'s exact count where no dimension is asked for', () => {
    const request = parseMetricsRequest({ name: 'unique_users', granularity: '1d', ...twoDays }, later);
    const sql = planMetrics(request, 't', table, published, new Map([[d18, 70], [d19, 80]])).series?.([]).sql ?? '';
    expect(sql).toContain('FROM db.rollup_day_total');
    expect(sql).toContain('sumIf(users_exact, exact = 1)');
  });

  it('reads the hourly rows of a day that is not current, still exactly', () => {
    const request = parseMetricsRequest({ name: 'unique_users', granularity: '1d', ...twoDays }, later);
    const sql = planMetrics(request, 't', table, published, new Map([[d18, 70]])).series?.([]);
    expect(sql?.params).toMatchObject({ days: [d18 / 1000], hour_hours: allHours(d19, 8).map(([h]) => h / 1000) });
    expect(sql?.sql).toContain("granularity = '1h'");
    // The day built from 24 hourly rows is one bucket of many rows: their sets merge.
    expect(sql?.sql).toContain('uniqExactMergeIf(users_set, exact = 1)');
  });

  it('reads a day that holds a speed hour from approximate states, beside an exact day', () => {
    const request = parseMetricsRequest({ name: 'unique_users', granularity: '1d', ...twoDays }, later);
    const lastHour = d19 + 23 * HOUR_MS;
    const partly = new Map([...published].filter(([h]) => h !== lastHour));
    const plan = planMetrics(request, 't', table, partly, new Map([[d18, 70]])).series?.([]);
    expect(plan?.params).toMatchObject({
      days: [d18 / 1000], approx_hour_hours: allHours(d19, 8).slice(0, 23).map(([h]) => h / 1000), speed_hours: [lastHour / 1000],
    });
    expect(plan?.params).not.toHaveProperty('hour_hours');
  });

  it('merges approximate states only, over buckets longer than a day', () => {
    const request = parseMetricsRequest({ name: 'unique_users', granularity: 'all', ...twoDays }, later);
    const sql = planMetrics(request, 't', table, published, new Map([[d18, 70], [d19, 80]])).total?.sql ?? '';
    expect(sql).toContain('rollup_day_total');
    expect(sql).not.toContain('uniqExact');
  });

  it('asks for day builds only when buckets can hold whole days', () => {
    const hourly = parseMetricsRequest({ name: 'events', granularity: '1h', ...twoDays }, later);
    expect(planDayBuilds(hourly, bucketMs(hourly), 't', table)).toBeUndefined();
    const daily = parseMetricsRequest({ name: 'events', granularity: '1d', ...twoDays }, later);
    expect(planDayBuilds(daily, bucketMs(daily), 't', table)?.params)
      .toEqual({ tenant: 't', from: d18 / 1000, to: (d19 + DAY_MS) / 1000 });
  });

  it('counts a day current only while all 24 hours keep the versions it was built from', () => {
    const builds = new Map([[d18, { version: 70, hourVersions: Array(24).fill(7) }], [d19, { version: 80, hourVersions: Array(24).fill(7) }]]);
    expect(currentDays(builds, published)).toEqual(new Map([[d18, 70]]));
    const republished = new Map(published).set(d18 + 5 * HOUR_MS, 9);
    expect(currentDays(builds, republished)).toEqual(new Map());
    expect(wholeDaysOf(d18 + 1, d19 + DAY_MS)).toEqual([d19]);
  });
});

describe('layerOf', () => {
  const published = new Map([[h10, 1]]);
  it('is batch, speed or mixed by the hours a span touches', () => {
    expect(layerOf(published, h10 + 5 * 60_000, h10 + 6 * 60_000)).toBe('batch');
    expect(layerOf(published, h11, h11 + HOUR_MS)).toBe('speed');
    expect(layerOf(published, h10 + 30 * 60_000, h11 + 60_000)).toBe('mixed');
    expect(hoursOf(h10 + 1, h11 + 1)).toEqual([h10, h11]);
  });
});
