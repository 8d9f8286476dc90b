import { describe, expect, it } from 'vitest';
import { PROFILE_DIMENSIONS, parseProfile, parseUserId } from './profile';

describe('profile', () => {
  it('has every dimension but event', () => {
    expect(PROFILE_DIMENSIONS).toEqual(['country', 'device', 'page', 'campaign']);
  });

  it('accepts string values for profile dimensions, and an empty profile', () => {
    expect(parseProfile({ country: 'US', campaign: 'x'.repeat(200) })).toEqual({ ok: true, value: { country: 'US', campaign: 'x'.repeat(200) } });
    expect(parseProfile({})).toEqual({ ok: true, value: {} });
  });

  it('names the key or value that is wrong, and lists the valid keys', () => {
    const valid = 'valid keys are country, device, page, campaign';
    expect(parseProfile({ country: 'US', plan: 'pro' })).toEqual({ ok: false, message: `"plan" is not a profile dimension: ${valid}` });
    expect(parseProfile({ event: 'x' })).toEqual({ ok: false, message: `"event" is not a profile dimension: ${valid}` });
    expect(parseProfile(JSON.parse('{"__proto__":{"country":"US"}}'))).toEqual({ ok: false, message: `"__proto__" is not a profile dimension: ${valid}` });
    for (const bad of [1, null, '', 'x'.repeat(201), ['US']]) {
      expect(parseProfile({ device: bad })).toEqual({ ok: false, message: '"device" must be a string of 1–200 characters' });
    }
    for (const notObject of [null, [], 'US', 3]) {
      expect(parseProfile(notObject)).toEqual({ ok: false, message: 'a profile must be a JSON object whose keys are profile dimensions: country, device, page, campaign' });
    }
  });

  it('takes user ids of 1–256 characters, counted in code points', () => {
    expect(parseUserId('u1')).toEqual({ ok: true, value: 'u1' });
    expect(parseUserId('🚀'.repeat(256)).ok).toBe(true);
    expect(parseUserId('x'.repeat(257))).toEqual({ ok: false, message: '"user_id" must be 1–256 characters, got 257' });
    expect(parseUserId('')).toEqual({ ok: false, message: '"user_id" must be 1–256 characters, got 0' });
    expect(parseUserId(['a', 'b']).ok).toBe(false);
  });
});
