import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoCustomers, planDemoHistory } from './plan.ts';

describe('demo history plan', () => {
  const until = new Date('2026-11-26T00:00:00Z');
  const events = planDemoHistory(until);

  it('covers six months of each customer’s generated life', () => {
    const first = events[0]?.at.getTime() ?? 0;
    assert.ok(until.getTime() - first > 175 * 24 * 3600 * 1000, 'history starts about six months back');
    for (const customer of demoCustomers) {
      const own = events.filter((e) => e.customer === customer.key);
      const salaries = own.filter((e) => e.kind === 'salary');
      assert.ok(salaries.length >= 5 && salaries.length <= 7, `${customer.key}: ${salaries.length} salaries`);
      assert.equal(new Set(salaries.map((e) => e.counterparty)).size, 1, `${customer.key}: one employer`);
      assert.ok(own.filter((e) => e.kind === 'card_purchase').length > 100, `${customer.key} card payments`);
      // Rent and utilities: the same payee every month.
      const billsByPayee = Map.groupBy(
        own.filter((e) => e.kind === 'bill'),
        (e) => e.counterparty,
      );
      assert.ok(
        [...billsByPayee.values()].some((bills) => bills.length >= 5),
        `${customer.key} monthly bills`,
      );
      assert.equal(own.filter((e) => e.kind === 'savings_transfer').length, 6);
    }
    assert.ok(events.some((e) => e.kind === 'p2p_transfer'));
  });

  it('is deterministic, sorted and only moves positive whole minor units', () => {
    assert.deepEqual(planDemoHistory(until), events);
    for (let i = 1; i < events.length; i += 1) {
      assert.ok((events[i]?.at.getTime() ?? 0) >= (events[i - 1]?.at.getTime() ?? 0));
    }
    assert.ok(events.every((e) => e.amountMinor > 0n && e.at < until));
    assert.ok(events.every((e) => e.description.length > 0 && e.description.length <= 140));
  });

  it('keeps every customer solvent at every moment, so no planned payment bounces', () => {
    for (const customer of demoCustomers) {
      let balanceMinor = 0n;
      for (const e of events) {
        const incoming = e.kind === 'salary' || e.kind === 'credit' || e.kind === 'opening_deposit';
        if (e.customer === customer.key) balanceMinor += incoming ? e.amountMinor : -e.amountMinor;
        if (e.toCustomer === customer.key) balanceMinor += e.amountMinor;
        assert.ok(balanceMinor >= 0n, `${customer.key} overdrawn at ${e.at.toISOString()}: ${balanceMinor}`);
      }
    }
  });

  it('sends transfers between demo customers once, from the sender, to another demo customer', () => {
    for (const e of events.filter((x) => x.kind === 'p2p_transfer')) {
      assert.ok(e.toCustomer && e.toCustomer !== e.customer);
      assert.equal(demoCustomers.find((c) => c.key === e.toCustomer)?.name, e.counterparty);
    }
  });
});
