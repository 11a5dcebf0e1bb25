import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoCustomers, planDemoHistory } from './plan.ts';

describe('demo history plan', () => {
  const until = new Date('2026-11-26T00:00:00Z');
  const events = planDemoHistory(until);

  it('covers six months with the regular life of every customer', () => {
    const first = events[0]?.at.getTime() ?? 0;
    assert.ok(until.getTime() - first > 175 * 24 * 3600 * 1000, 'history starts about six months back');
    for (const customer of demoCustomers) {
      const own = events.filter((e) => e.customer === customer.key);
      assert.equal(own.filter((e) => e.kind === 'salary').length, 6, `${customer.key} salaries`);
      assert.ok(own.filter((e) => e.description.startsWith('Rent')).length >= 6, `${customer.key} rent`);
      assert.ok(own.filter((e) => e.kind === 'card_purchase').length > 100, `${customer.key} card purchases`);
      assert.ok(own.some((e) => e.kind === 'savings_transfer'));
    }
    assert.ok(events.some((e) => e.kind === 'p2p_transfer'));
  });

  it('is deterministic, sorted and only moves positive whole minor units', () => {
    assert.deepEqual(planDemoHistory(until), events);
    for (let i = 1; i < events.length; i += 1) {
      assert.ok((events[i]?.at.getTime() ?? 0) >= (events[i - 1]?.at.getTime() ?? 0));
    }
    assert.ok(events.every((e) => e.amountMinor > 0n && e.at < until));
  });

  it('keeps every customer solvent at every moment, so no planned payment bounces', () => {
    for (const customer of demoCustomers) {
      let balanceMinor = 0n;
      for (const e of events) {
        const incoming = e.kind === 'salary' || e.kind === 'opening_deposit';
        if (e.customer === customer.key) balanceMinor += incoming ? e.amountMinor : -e.amountMinor;
        if (e.toCustomer === customer.key) balanceMinor += e.amountMinor;
        assert.ok(balanceMinor >= 0n, `${customer.key} overdrawn at ${e.at.toISOString()}: ${balanceMinor}`);
      }
    }
  });
});
