import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildWebApp, launchChromium, oauthDriver } from '@nextgen/testkit';
import type { Browser } from 'playwright-core';
import { planDemoHistory } from '../src/demo/plan.ts';
import { axeViolations, seriousViolations } from './a11y.ts';
import { holdingEnv } from './risk-models.ts';
import { type Journey, signIn, startJourney } from './web-journey.ts';

/**
 * The customer's journeys through the real web build of apps/mobile, served by a test API on a real
 * socket (the demo bank seeded into it) and driven in Debian's Chromium: sign-in through the
 * bank's pages back to /auth/callback, the accounts and their history, money moved, passkeys in
 * the browser's virtual authenticator, German, dark mode, offline, sign out. Each step leaves a
 * screenshot in test-artifacts/journeys/, and no step may log a page error or a CSP violation.
 */

let browser: Browser;

before(async () => {
  buildWebApp();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/**
 * axe-core on a state a URL cannot reach (a form's later step, a result): the accessibility test
 * (browser-a11y.test.ts) covers every route; these are the steps between.
 */
async function assertAccessible(journey: Journey, where: string) {
  // react-native-web's Modal lacks its role during the fade-in: let any animation settle.
  await journey.page.waitForTimeout(400);
  assert.deepEqual(seriousViolations(where, await axeViolations(journey.page)), [], `axe on ${where}`);
}

/** The little of the DOM the in-page checks use (the repository type-checks against Node). */
interface PageDocument {
  readonly document: {
    querySelectorAll(
      selector: string,
    ): ArrayLike<{ textContent: string | null }> & Iterable<{ textContent: string | null }>;
  };
}

describe('customer journeys in the web app (Chromium)', () => {
  it('signs in through the bank’s page, sees the accounts, and signs out', async (t) => {
    const journey = await startJourney(t, browser, 'sign-in');
    const { page, baseUrl } = journey;
    await signIn(journey, 'alex@demo.nextgen.test');
    await page.locator('[data-testid^="account-row-"]').first().waitFor();
    await journey.shot('accounts');
    // Tokens live in memory and IndexedDB only: the web storage holds the device settings, nothing else.
    const storage = await page.evaluate(() => {
      const web = globalThis as unknown as {
        localStorage: { length: number; key(i: number): string | null };
        sessionStorage: { length: number };
      };
      const keys: string[] = [];
      for (let i = 0; i < web.localStorage.length; i++) keys.push(web.localStorage.key(i) ?? '');
      return { local: keys, session: web.sessionStorage.length };
    });
    assert.ok(
      storage.local.every((key) => key === 'nextgen.settings.v1'),
      `localStorage holds only the settings: ${storage.local}`,
    );
    assert.equal(storage.session, 0, 'the sign-in left nothing in sessionStorage');

    await page.goto(`${baseUrl}/settings`);
    await page.getByTestId('sign-out').click();
    await page.getByRole('button', { name: 'Sign out' }).last().click();
    await page.waitForURL(`${baseUrl}/sign-in`);
    await page.getByText('You are signed out.').waitFor();
    await journey.shot('signed-out');
    // The accounts are not reachable any more without a new sign-in.
    await page.goto(`${baseUrl}/home`);
    await page.waitForURL(`${baseUrl}/sign-in`);
    assert.deepEqual(journey.problems, []);
  });

  it('finds a payment in the history, scrolls back in time, and moves money between own accounts', async (t) => {
    const journey = await startJourney(t, browser, 'history-and-own-transfer');
    const { page } = journey;
    await signIn(journey, 'alex@demo.nextgen.test');
    await page
      .getByRole('button', { name: /^Everyday/ })
      .first()
      .click();
    await page.waitForURL(/\/home\/accounts\/acc_/);
    const rows = page.locator('[data-testid^="transaction-row-"]');
    await rows.first().waitFor();
    const firstPage = await rows.count();
    await journey.shot('history');

    // Infinite scroll: reaching the end of the list asks for the next page.
    await rows.last().scrollIntoViewIfNeeded();
    await page.getByTestId('history-list').evaluate((list) => {
      const node = list as unknown as { scrollTop: number; scrollHeight: number };
      node.scrollTop = node.scrollHeight;
    });
    await page.waitForFunction(
      (before) =>
        (globalThis as unknown as PageDocument).document.querySelectorAll('[data-testid^="transaction-row-"]').length >
        before,
      firstPage,
    );
    await journey.shot('older-transactions');

    // Search goes to the API; every row left names the payee (alex's mobile phone bill, monthly).
    // The demo plan runs up to today, and which telecom brand alex pays depends on the day.
    const phone = planDemoHistory(new Date()).find(
      (e) =>
        e.customer === 'alex' && e.kind === 'bill' && /TeleNet Mobile|SkyLink Broadband|OneCall/.test(e.description),
    )?.description;
    assert.ok(phone, 'the demo plan gives alex a phone bill');
    await page.getByTestId('history-search').fill(phone);
    await page.waitForFunction((payee) => {
      const found = [
        ...(globalThis as unknown as PageDocument).document.querySelectorAll('[data-testid^="transaction-row-"]'),
      ];
      return found.length > 0 && found.every((row) => (row.textContent ?? '').includes(payee));
    }, phone);
    await journey.shot('search-onecall');
    await rows.first().click();
    const detail = page.getByTestId('transaction-screen');
    await detail.waitFor();
    assert.ok(((await detail.textContent()) ?? '').includes(phone));
    await journey.shot('transaction-detail');
    await page.goBack();

    // A wrong amount is explained at the field, before anything is sent.
    await page.getByTestId('new-payment').click();
    await page.waitForURL(/\/payments\/new/);
    await page
      .getByTestId('payment-to')
      .getByRole('radio', { name: /^Savings/ })
      .click();
    await page.getByTestId('payment-amount').fill('12.345');
    await page.getByTestId('payment-continue').click();
    await page.getByText('This currency has 2 decimal places.').waitFor();
    await journey.shot('wrong-amount');
    await assertAccessible(journey, 'payment form with a field error');

    await page.getByTestId('payment-amount').fill('25.00');
    await page.getByTestId('payment-reference').fill('Rainy day');
    await page.getByTestId('payment-continue').click();
    await page.getByTestId('payment-review').waitFor();
    for (const part of [
      'payment-review-from',
      'payment-review-to',
      'payment-review-amount',
      'payment-review-reference',
    ]) {
      assert.notEqual((await page.getByTestId(part).textContent())?.trim(), '', `${part} is shown`);
    }
    assert.match((await page.getByTestId('payment-review-amount').textContent()) ?? '', /€25\.00/);
    await journey.shot('review');
    await assertAccessible(journey, 'payment review');
    await page.getByTestId('payment-review-submit').click();
    await page.getByText('Payment sent').waitFor();
    await journey.shot('result');
    await assertAccessible(journey, 'payment result');

    // A reload starts the app afresh: the refresh token in IndexedDB signs it in again.
    await page.goto(`${journey.baseUrl}/home`);
    await page.getByText('€1,825.00').first().waitFor();
    await journey.shot('balances-after');
    assert.deepEqual(journey.problems, []);
  });

  it('switches to German and dark mode, and keeps the last data with its age offline', async (t) => {
    const journey = await startJourney(t, browser, 'german-dark-offline');
    const { page, baseUrl, context } = journey;
    await signIn(journey, 'sam@demo.nextgen.test');
    await page.locator('[data-testid^="account-row-"]').first().waitFor();
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('radio', { name: 'Deutsch' }).click();
    await page.getByRole('radio', { name: 'Dunkel' }).click();
    await page.getByRole('heading', { name: 'Einstellungen' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    await journey.shot('settings-german-dark');
    await page.getByRole('tab', { name: 'Konten' }).click();
    await page.locator('[data-testid^="account-row-"]').first().waitFor();
    // German formatting: 1.234,56 € style amounts.
    await page
      .getByText(/\d,\d{2}\s€/)
      .first()
      .waitFor();
    await journey.shot('accounts-german-dark');

    await context.setOffline(true);
    await page.getByText(/Sie sind offline/).waitFor();
    await page
      .getByText(/Zuletzt aktualisiert/)
      .first()
      .waitFor();
    await journey.shot('accounts-offline');
    // Money actions wait for the network, and say so.
    await page.getByRole('tab', { name: 'Zahlungen' }).click();
    await page.getByTestId('new-payment').click();
    await page.getByTestId('payment-amount').fill('10');
    await page.locator('[data-testid^="payment-to-account"]').first().click();
    await page.getByTestId('payment-continue').click();
    await page.getByTestId('payment-review').waitFor();
    assert.equal(await page.getByTestId('payment-review-submit').getAttribute('aria-disabled'), 'true');
    await journey.shot('payment-offline');
    await context.setOffline(false);
    await page.getByText(/Sie sind offline/).waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('payment-review-submit').getAttribute('aria-disabled'), null);
    void baseUrl;
    assert.deepEqual(journey.problems, []);
  });

  it('registers, signs in and submits the identity details for verification', async (t) => {
    const journey = await startJourney(t, browser, 'registration-and-kyc');
    const { page, baseUrl } = journey;
    await page.goto(`${baseUrl}/`);
    await page.getByTestId('register-link').click();
    await page.getByTestId('register-name').fill('Robin Example');
    await page.getByTestId('register-email').fill('robin@example.com');
    // The bank's password rules are shown at the field, in the customer's words.
    await page.getByTestId('register-password').fill('short');
    await page.getByTestId('register-submit').click();
    await page.getByText('Use at least 12 characters.').waitFor();
    await journey.shot('weak-password');
    await page.getByTestId('register-password').fill('lantern orchard ninety quietly');
    await page.getByTestId('register-submit').click();
    await page.getByTestId('register-done').waitFor();
    await journey.shot('registered');
    await assertAccessible(journey, 'registration done');

    await page.getByTestId('register-sign-in').click();
    await page.waitForURL(/\/interaction\//);
    await page.getByLabel('E-mail address').fill('robin@example.com');
    await page.getByLabel('Password').fill('lantern orchard ninety quietly');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${baseUrl}/kyc`);
    await page.getByTestId('kyc-form').waitFor();
    await journey.shot('kyc-form');
    await assertAccessible(journey, 'identity form');
    await page.getByTestId('kyc-legalName').fill('Robin Example');
    await page.getByRole('radio', { name: 'Passport' }).click();
    await page.getByTestId('kyc-documentNumber').fill('c01x00t47');
    await page.getByTestId('kyc-issuingCountry').fill('gb');
    // An expired document is refused by the API, at its field.
    await page.getByTestId('kyc-expiresOn').fill('2020-01-31');
    await page.getByTestId('kyc-dateOfBirth').fill('1990-12-10');
    await page.getByTestId('kyc-nationality').fill('GB');
    await page.getByTestId('kyc-submit').click();
    await page.locator('[data-testid="kyc-expiresOn"][aria-invalid="true"]').waitFor();
    await journey.shot('kyc-field-error');
    await assertAccessible(journey, 'identity form with a field error');
    await page.getByTestId('kyc-expiresOn').fill('2036-05-31');
    await page.getByTestId('kyc-submit').click();
    await page.getByTestId('kyc-pending').waitFor();
    assert.match((await page.getByTestId('kyc-pending').textContent()) ?? '', /Passport ending 0T47/);
    await journey.shot('kyc-pending');
    await assertAccessible(journey, 'identity pending');
    await page.getByTestId('kyc-continue').click();
    await page.waitForURL(`${baseUrl}/home`);
    await journey.shot('home-new-customer');
    assert.deepEqual(journey.problems, []);
  });

  it('adds a passkey, saves a new payee and approves the first payment to it with the passkey', async (t) => {
    const journey = await startJourney(t, browser, 'payee-and-step-up');
    const { page, baseUrl, testApp } = journey;
    // The payee: another customer of the bank with a current account.
    const { id: payeeId } = await oauthDriver(baseUrl).registerCustomer({
      name: 'Jordan Lee',
      email: 'jordan@example.com',
      password: 'lantern orchard ninety quietly',
    });
    const opened = await testApp.injectAs(payeeId, {
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { type: 'checking', currency: 'EUR' },
    });
    assert.equal(opened.statusCode, 201, opened.body);
    const { iban } = opened.json() as { iban: string };
    // Verified by the bank, so confirmation of payee can check the name.
    const submitted = await testApp.injectAs(payeeId, {
      method: 'PUT',
      url: '/api/v1/me/kyc',
      payload: {
        legalName: 'Jordan Lee',
        documentType: 'passport',
        documentNumber: 'X1234567',
        issuingCountry: 'GB',
        expiresOn: '2034-01-31',
        dateOfBirth: '1988-04-02',
        nationality: 'GB',
      },
    });
    assert.equal(submitted.statusCode, 200, submitted.body);
    const verified = await testApp.app.inject({
      method: 'POST',
      url: `/backoffice/v1/customers/${payeeId}/kyc/verify`,
      headers: { authorization: `Bearer ${await testApp.operatorToken()}` },
      payload: { tier: 1, submissionId: (submitted.json() as { submissionId: string }).submissionId },
    });
    assert.equal(verified.statusCode, 200, verified.body);

    await signIn(journey, 'kim@demo.nextgen.test');
    await page.locator('[data-testid^="account-row-"]').first().waitFor();
    await page.goto(`${baseUrl}/settings/passkeys`);
    await page.getByTestId('passkey-new-name').fill('Test laptop');
    await page.getByTestId('add-passkey').click();
    await page.locator('[data-testid^="passkey-row-"]').first().waitFor();
    assert.match((await page.locator('[data-testid^="passkey-row-"]').first().textContent()) ?? '', /Test laptop/);
    await journey.shot('passkey-added');

    await page.goto(`${baseUrl}/payments`);
    await page.getByTestId('add-payee').click();
    await page.getByTestId('payee-name').fill('Jordan Lee');
    await page.getByTestId('payee-iban').fill(iban.toLowerCase());
    await page.getByTestId('payee-submit').click();
    await page.getByTestId('payee-result').waitFor();
    assert.match((await page.getByTestId('payee-result').textContent()) ?? '', /The name matches the account/);
    await journey.shot('payee-saved');
    await assertAccessible(journey, 'payee saved');
    await page.getByTestId('payee-done').click();

    await page.getByTestId('new-payment').first().click();
    await page
      .getByTestId('payment-to')
      .getByRole('radio', { name: /^Jordan Lee/ })
      .click();
    await page.getByTestId('payment-amount').fill('40');
    await page.getByTestId('payment-reference').fill('Concert tickets');
    await page.getByTestId('payment-continue').click();
    await page.getByTestId('payment-review').waitFor();
    assert.match((await page.getByTestId('payment-review-to').textContent()) ?? '', /Jordan Lee/);
    await journey.shot('review');
    await page.getByTestId('payment-review-submit').click();
    // The first payment to a new payee needs the customer's approval: the sheet says what it is.
    const sheet = page.getByTestId('step-up-sheet');
    await sheet.waitFor();
    assert.match((await sheet.textContent()) ?? '', /€40\.00/);
    assert.match((await sheet.textContent()) ?? '', /Jordan Lee/);
    await journey.shot('approve-with-passkey');
    await assertAccessible(journey, 'passkey approval');
    await page.getByTestId('step-up-approve').click();
    await page.getByText('Payment sent').waitFor();
    await journey.shot('result');
    assert.deepEqual(journey.problems, []);
  });

  it('sends a payment the bank holds for review: not sent, the money reserved, and why', async (t) => {
    const journey = await startJourney(t, browser, 'held-for-review', { env: await holdingEnv(t) });
    const { page, baseUrl, testApp } = journey;
    // The payee: another customer of the bank, so the payment is one the fraud checks score.
    const { id: payeeId } = await oauthDriver(baseUrl).registerCustomer({
      name: 'Morgan Held',
      email: 'morgan@example.com',
      password: 'lantern orchard ninety quietly',
    });
    const opened = await testApp.injectAs(payeeId, {
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { type: 'checking', currency: 'EUR' },
    });
    assert.equal(opened.statusCode, 201, opened.body);
    const { iban } = opened.json() as { iban: string };

    await signIn(journey, 'alex@demo.nextgen.test');
    await page.locator('[data-testid^="account-row-"]').first().waitFor();
    await page.goto(`${baseUrl}/payments`);
    await page.getByTestId('add-payee').click();
    await page.getByTestId('payee-name').fill('Morgan Held');
    await page.getByTestId('payee-iban').fill(iban);
    await page.getByTestId('payee-submit').click();
    await page.getByTestId('payee-result').waitFor();
    await page.getByTestId('payee-done').click();

    await page.getByTestId('new-payment').first().click();
    await page
      .getByTestId('payment-to')
      .getByRole('radio', { name: /^Morgan Held/ })
      .click();
    await page.getByTestId('payment-amount').fill('60');
    await page.getByTestId('payment-continue').click();
    await page.getByTestId('payment-review-submit').click();
    await page.getByTestId('payment-result-held-title').waitFor();
    const result = (await page.getByTestId('payment-result').textContent()) ?? '';
    assert.match(result, /Payment held for review/);
    assert.doesNotMatch(result, /Payment sent/);
    assert.match(result, /Not sent yet: €60\.00 to Morgan Held is reserved on your account/);
    // The reason is the app's translation of the API's code, whichever code the model picked.
    const reason = (await page.getByTestId('payment-result-review-reason').textContent()) ?? '';
    assert.match(reason, /^Why we are checking it/);
    assert.ok(reason.length > 'Why we are checking it'.length + 10, `a reason is shown: ${reason}`);
    assert.match(result, /within one business day/);
    assert.match(result, /If you did not make this payment, contact us now\./);
    await journey.shot('held-result');
    await assertAccessible(journey, 'payment held for review');

    await page.getByTestId('payment-result-open').click();
    await page.getByTestId('transfer-screen').waitFor();
    await page.getByLabel('Status: Pending review').waitFor();
    assert.equal(
      (await page.getByTestId('transfer-review-reason').textContent())?.trim(),
      reason.trim(),
      'the transfer shows the same reason',
    );
    await journey.shot('held-transfer');
    await assertAccessible(journey, 'held transfer');

    // The history shows it pending: the newest line of the paying account.
    await page.getByRole('tab', { name: 'Accounts' }).click();
    await page.locator('[data-testid^="account-row-"]').first().click();
    const newest = page.locator('[data-testid^="transaction-row-"]').first();
    await newest.waitFor();
    assert.match((await newest.textContent()) ?? '', /Pending.*-€60\.00/);
    await journey.shot('held-in-history');
    assert.deepEqual(journey.problems, []);
  });

  it('shows the month’s spending as a chart, sets a budget against it, and forecasts an account', async (t) => {
    const journey = await startJourney(t, browser, 'insights');
    const { page } = journey;
    await signIn(journey, 'alex@demo.nextgen.test');
    await page.locator('[data-testid^="account-row-"]').first().waitFor();
    await page.getByRole('tab', { name: 'Insights' }).click();
    await page.getByRole('heading', { name: 'Insights', exact: true }).waitFor();
    await page.getByTestId('spending-trend').waitFor();
    // Early in a month the demo customer may not have spent yet: the month before surely has.
    if ((await page.getByTestId('spending-chart').count()) === 0) {
      await page.getByTestId('spending-previous').click();
    }
    const bars = page.locator('[data-testid^="spending-bar-"]');
    await bars.first().waitFor();
    assert.ok((await bars.count()) >= 2, 'the demo history spends in more than one category');
    // Each bar is an image named with its category, amount, share of the month and trend.
    const label = (await bars.first().getAttribute('aria-label')) ?? '';
    assert.match(label, /^[A-Z][a-z ]+: €[\d,]+\.\d{2}, \d+% of the month, (more|less|about the same)/);
    assert.equal(await bars.first().getAttribute('role'), 'img');
    assert.equal(await page.locator('[data-testid^="spending-trend-"]').count(), 6, 'six months of trend');
    await journey.shot('spending');
    await assertAccessible(journey, 'spending chart');

    // A budget for the largest category, set below what was spent: it shows as exceeded.
    const category = ((await bars.first().getAttribute('data-testid')) ?? '').replace('spending-bar-', '');
    await page.getByTestId('open-budgets').click();
    await page.getByTestId('budget-form').waitFor();
    await page.getByTestId(`budget-category-${category}`).click();
    await page.getByTestId('budget-amount').fill('1');
    await page.getByTestId('budget-save').click();
    await page.getByTestId('budgets-notice').waitFor();
    await page.getByTestId(`budget-level-${category}`).waitFor();
    await journey.shot('budget-set');
    await assertAccessible(journey, 'budgets');
    await page.goBack();

    await page.locator('[data-testid^="open-forecast-"]').first().click();
    await page.getByTestId('forecast-chart').waitFor();
    assert.equal(await page.locator('[data-testid^="forecast-day-"]').count(), 30, 'thirty days forecast');
    await journey.shot('forecast');
    assert.deepEqual(journey.problems, []);
  });
});
