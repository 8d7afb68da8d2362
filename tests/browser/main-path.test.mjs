// The main path in headless Chromium, as a new user would walk it: create the first admin
// from the link `hirecast serve` prints, sign out and in, write an opening (fixing an inline
// validation message), publish it, find it on the careers site, apply with a CV upload,
// and see the application (and download the CV) in the recruiter app.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { artifacts, startBrowser, startHirecast } from './harness.mjs';

const ADMIN = { email: 'admin@acme.example', name: 'Alex Admin', password: 'a long enough password' };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

async function signIn(page, base) {
  await page.goto(`${base}/login`);
  await page.fill('#email', ADMIN.email);
  await page.fill('#password', ADMIN.password);
  await page.click('#sign-in');
  await page.waitForURL(`${base}/app`);
}

test('recruiter publishes an opening, a candidate applies with a CV, the recruiter sees it', { timeout: 180_000 }, async () => {
  const app = await startHirecast();
  const browser = await startBrowser();
  try {
    const page = await browser.context.newPage();
    const shot = (name) => page.screenshot({ path: `${artifacts}${name}.png`, fullPage: true });

    // First admin, from the one-time link.
    await page.goto(app.setupLink);
    await page.fill('#email', ADMIN.email);
    await page.fill('#name', ADMIN.name);
    await page.fill('#password', ADMIN.password);
    await page.fill('#password_confirm', ADMIN.password);
    await page.click('#setup-submit');
    await page.waitForURL(`${app.base}/app`);
    await shot('01-dashboard');

    // Sign out, then in again.
    await page.click('#sign-out');
    await page.waitForURL(/\/login/);
    await signIn(page, app.base);

    // An opening with a mistake first: the form comes back with the message next to the field.
    const title = 'Développeur·se Rust (H/F) & <data>';
    await page.goto(`${app.base}/app/openings/new`);
    await page.fill('#title', title);
    await page.fill('#company', 'Acme Logistique');
    await page.selectOption('#remote_policy', 'hybrid');
    await page.fill('#city', 'Lyon');
    await page.fill('#country', 'FR');
    await page.selectOption('#employment_type', 'permanent');
    await page.fill('#salary_min', '60000');
    await page.fill('#salary_max', '50000');
    await page.fill('#salary_currency', 'EUR');
    await page.selectOption('#salary_period', 'year');
    await page.fill('#required_skills', 'Rust, PostgreSQL');
    await page.selectOption('#language', 'fr');
    await page.fill('#description', '## Le poste\n\nVous concevez nos **API** en Rust.');
    // Salary min above max: the live preview says the form needs correcting.
    await page.waitForFunction(() => document.querySelector('#post-preview').classList.contains('stale'));
    await page.click('#save-opening');
    await page.waitForSelector('#salary_min-error');
    assert.match(await page.textContent('#salary_min-error'), /60000/);
    assert.equal(await page.inputValue('#title'), title, 'values are kept');
    await shot('02-editor-with-error');
    await page.fill('#salary_max', '65000');
    // Now valid: the preview shows each network's post, updated as the recruiter types.
    const xCount = page.locator('.preview-card[data-network="x"] .post-count');
    await page.waitForFunction(() => !document.querySelector('#post-preview').classList.contains('stale'));
    await page.fill('#title', `${title} senior`);
    await page.waitForFunction(
      () => /senior/.test(document.querySelector('.preview-card[data-network="x"] .post-text')?.textContent || ''));
    assert.match(await xCount.textContent(), /^\d+ \/ 280$/);
    assert.equal(await page.locator('.preview-card').count(), 4);
    assert.equal(await page.locator('.post-count.over').count(), 0);
    await shot('02b-editor-live-preview');
    await page.fill('#title', title);
    await page.click('#save-opening');
    await page.waitForSelector('#opening-status[data-status="draft"]');

    // Publish.
    await page.click('#publish-opening');
    await page.waitForSelector('#opening-status[data-status="open"]');
    const publicHref = await page.getAttribute('#public-link', 'href');
    assert.ok(publicHref, 'a live opening shows its public link');
    const openingUrl = page.url().split('?')[0];
    await shot('03-opening-published');

    // The careers site, as an anonymous candidate.
    await browser.context.clearCookies();
    await page.goto(`${app.base}/jobs`);
    await page.getByRole('link', { name: title }).first().click();
    await page.waitForURL(/\/jobs\/[a-z0-9-]+$/);
    const jsonLd = JSON.parse(await page.textContent('script[type="application/ld+json"]'));
    assert.equal(jsonLd['@type'], 'JobPosting');
    assert.equal(jsonLd.title, title);
    assert.equal(jsonLd.baseSalary.value.maxValue, 65000);
    await shot('04-job-page');

    await page.fill('#a-name', 'Camille Martin');
    await page.fill('#a-email', 'camille.martin@example.fr');
    await page.setInputFiles('#a-cv', { name: 'CV Camille.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.check('#a-consent');
    await page.click('#apply button[type="submit"]');
    await page.waitForURL(/\/applied$/);
    await shot('05-applied');

    // Back in the recruiter app: the application and its CV.
    await signIn(page, app.base);
    await page.goto(openingUrl);
    const row = page.locator('#applications-table tr[data-application-id]');
    assert.equal(await row.count(), 1);
    assert.match(await row.first().textContent(), /Camille Martin/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.cv-download')]);
    assert.match(download.suggestedFilename(), /\.pdf$/);
    await shot('06-application-listed');

    // The logs of the whole walk hold no personal data and no secret.
    const logs = app.logs();
    assert.match(logs, /GET \/jobs/, 'request lines are logged');
    for (const secret of [ADMIN.email, ADMIN.password, 'camille.martin@example.fr', 'Camille Martin', app.setupLink.split('/setup/')[1]]) {
      assert.ok(!logs.includes(secret), `the logs must not contain ${secret}`);
    }
  } finally {
    await browser.close();
    await app.stop();
  }
});
