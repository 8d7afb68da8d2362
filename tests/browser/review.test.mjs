// The hiring-manager review in headless Chromium: candidates apply with a CV, the recruiter
// reviews the shortlist with the keyboard (j, k, o, r, a), opens a candidate and their CV,
// scores them, rejects one with a reason, then sends a review link by email; the link, read
// from the mail received by a real SMTP server, opens the shortlist without an account.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { artifacts, startBrowser, startHirecast, startSmtp } from './harness.mjs';

const ADMIN = { email: 'admin@acme.example', name: 'Alex Admin', password: 'a long enough password' };
// One file per candidate: the same file twice would be taken for the same person.
const pdf = (name) => Buffer.from(`%PDF-1.4\n% ${name}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`);

test('a shortlist reviewed with the keyboard, a candidate scored and rejected, a review link followed from its email', { timeout: 240_000 }, async () => {
  const smtp = await startSmtp();
  const app = await startHirecast({ HIRECAST_SMTP_URL: smtp.url, HIRECAST_MAIL_FROM: 'Acme Recrutement <jobs@acme.example>', HIRECAST_WORKER_POLL_MS: '200' });
  const browser = await startBrowser();
  try {
    const page = await browser.context.newPage();
    const shot = (name) => page.screenshot({ path: `${artifacts}${name}.png`, fullPage: true });
    await page.goto(app.setupLink);
    await page.fill('#email', ADMIN.email);
    await page.fill('#name', ADMIN.name);
    await page.fill('#password', ADMIN.password);
    await page.fill('#password_confirm', ADMIN.password);
    await page.click('#setup-submit');
    await page.waitForURL(`${app.base}/app`);

    // An opening, published.
    await page.goto(`${app.base}/app/openings/new`);
    await page.fill('#title', 'Ingénieur·e Rust');
    await page.fill('#company', 'Acme Logistique');
    await page.fill('#city', 'Lyon');
    await page.fill('#country', 'FR');
    await page.fill('#required_skills', 'Rust, PostgreSQL');
    await page.fill('#description', 'Vous concevez nos API en Rust.');
    await page.click('#save-opening');
    await page.waitForSelector('#opening-status[data-status="draft"]');
    await page.click('#publish-opening');
    await page.waitForSelector('#opening-status[data-status="open"]');
    const openingUrl = page.url().split('?')[0];

    // Two candidates apply from the careers site, each with a PDF CV.
    for (const [name, email] of [['Camille Martin', 'camille@example.fr'], ['Sacha Petit', 'sacha@example.fr']]) {
      const p = await browser.context.newPage();
      await p.goto(`${app.base}/jobs`);
      await p.click('.job-card h2 a');
      await p.fill('#a-name', name);
      await p.fill('#a-email', email);
      await p.setInputFiles('#a-cv', { name: `CV ${name}.pdf`, mimeType: 'application/pdf', buffer: pdf(name) });
      await p.check('#a-consent');
      await p.click('#apply button[type="submit"]');
      await p.waitForURL(/\/applied$/);
      await p.close();
    }

    // The review: the harvester files the applications within seconds.
    const review = `${openingUrl}/review`;
    let rows = 0;
    for (let i = 0; i < 60 && rows < 2; i++) {
      await page.goto(review);
      rows = await page.locator('#review tbody tr[data-candidate]').count();
      if (rows < 2) await page.waitForTimeout(1000);
    }
    assert.equal(rows, 2, 'both applications reach the review');
    await shot('10-review');
    const current = () => page.locator('#review tbody tr.current').getAttribute('data-candidate');
    const ids = await page.locator('#review tbody tr[data-candidate]').evaluateAll((trs) => trs.map((t) => t.dataset.candidate));
    assert.equal(await current(), ids[0]);
    await page.keyboard.press('j');
    assert.equal(await current(), ids[1]);
    await page.keyboard.press('k');
    assert.equal(await current(), ids[0]);

    // o opens the candidate: contact, the CV inline (a PDF, framed by hirecast only), history.
    await page.keyboard.press('o');
    await page.waitForURL(new RegExp(`/candidates/${ids[0]}$`));
    const cvSrc = await page.locator('iframe.cv-viewer').getAttribute('src');
    assert.ok(cvSrc, 'the PDF is shown inline');
    const cv = await page.request.get(`${app.base}${cvSrc}`);
    assert.equal(cv.headers()['content-type'], 'application/pdf');
    assert.match(cv.headers()['content-disposition'], /^inline;/);
    assert.equal(cv.headers()['x-content-type-options'], 'nosniff');
    assert.match(await page.locator('#history-list').textContent(), /Entered as/);
    await shot('11-candidate');

    // A scorecard.
    // Chromium's PDF viewer takes the focus once the PDF is drawn, and a click that lands while
    // it holds it does not reach a radio: wait for that (or 5 s), then start in the page's form.
    await page.waitForFunction(() => document.activeElement?.matches('iframe.cv-viewer'), null, { timeout: 5000 }).catch(() => {});
    await page.fill('#comment', 'Bon échange');
    await page.check('#rating-0 input[value="4"]');
    await page.check('#rating-1 input[value="5"]');
    await page.click('#scorecard-save');
    await page.waitForSelector('#notice');
    assert.match(await page.locator('#notice').textContent(), /Scorecard saved/);
    assert.match(await page.locator('#scorecards').textContent(), /4\.5/);

    // Back to the review: r opens the rejection with its reason; the candidate leaves the view.
    await page.goto(review);
    await page.keyboard.press('j');
    await page.keyboard.press('r');
    const reason = page.locator(`#c-${ids[1]} details.reject select`);
    await reason.waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => document.activeElement?.name), 'reason', 'the reason has the focus');
    await reason.selectOption('skills');
    await Promise.all([page.waitForNavigation(), page.locator(`#c-${ids[1]} details.reject button[type="submit"]`).click()]);
    assert.match(page.url(), /done=moved/);
    assert.equal(await page.locator('#review tbody tr[data-candidate]').count(), 1, 'rejected: out of the in-progress view');
    // a advances the one left.
    const before = await page.locator(`#c-${ids[0]}`).getAttribute('data-stage');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('a')]);
    const after = await page.locator(`#c-${ids[0]}`).getAttribute('data-stage');
    assert.notEqual(after, before, `advanced from ${before}`);
    await shot('12-review-decided');

    // A review link for a manager without an account, received by email.
    await page.fill('#link-name', 'Paul Externe');
    await page.fill('#link-email', 'paul@partner.example');
    await page.selectOption('#link-language', 'en');
    await page.click('#link-send');
    await page.waitForURL(/done=link/);
    assert.match(await page.locator('#link-list').textContent(), /Paul Externe/);
    const mail = await smtp.waitFor('paul@partner.example').catch((e) => { throw new Error(`${e.message}; the service logged:\n${app.logs().slice(-1500)}\nthe SMTP server:\n${smtp.logs().slice(-3000)}`); });
    assert.match(mail, /Content-Type: text\/plain/i);
    assert.match(mail, /Content-Type: text\/html/i);
    const link = mail.match(/http:\/\/127\.0\.0\.1:\d+\/review\/[A-Za-z0-9_-]+/)[0];
    // Without the recruiter's session.
    await browser.context.clearCookies();
    const gp = await browser.context.newPage();
    await gp.goto(link);
    assert.match(await gp.locator('#guest-banner').textContent(), /Paul Externe/);
    assert.equal(await gp.locator('#review tbody tr[data-candidate]').count(), 1);
    await gp.screenshot({ path: `${artifacts}13-review-link.png`, fullPage: true });

    // No token and no personal data in the logs.
    const logs = app.logs();
    for (const secret of [link.split('/review/')[1], 'camille@example.fr', 'paul@partner.example', 'Paul Externe']) {
      assert.ok(!logs.includes(secret), `the logs must not contain ${secret}`);
    }
  } finally {
    await browser.close();
    await app.stop();
    smtp.stop();
  }
});
