// Attaching files from the case page (issue 30), in a real headless Chromium on a phone's screen
// (390×844) against a real siproc-server (harness.mjs): a photo (a PNG whose eXIf chunk carries
// a GPS position), a PDF and a scan of the case's own intake sheet (poppler's `pdftoppm`), each
// chosen in the "Attach a file" form and sent with the keyboard. The list shows each with its
// type, size and description, the photo with its thumbnail (rendered by the server, drawn from a
// blob: URL), the scan as the signed copy of its form; the downloads are the files as kept (the
// photo without its GPS position). Refusals are said in the user's language (Spanish, then
// English). The bulk page's three scans are signed.test.mjs's.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { crc32, deflateSync } from "node:zlib";

import { harness } from "./harness.mjs";
import { SHOTS, axe, go, signIn, valid } from "./pages.mjs";
import { call } from "./server.mjs";

let server;
const { context } = harness(async (up) => { server = up.server; });

const OFFICER = "demo-officer-tap";
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** A PNG chunk: length, type, data, CRC. */
function chunk(type, data) {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}

/**
 * An EXIF block (TIFF, little endian) whose GPS IFD says latitude 14° 5' 30" N: where a shelter
 * is, which must not travel with the photo.
 */
function exifWithGps() {
  const b = [];
  const u16 = (n) => b.push(n & 0xff, n >> 8);
  const u32 = (n) => b.push(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);
  b.push(...Buffer.from("II*\0", "latin1"));
  u32(8);
  u16(1); // IFD0: one entry, the GPS IFD's offset
  u16(0x8825); u16(4); u32(1); u32(26);
  u32(0);
  u16(2); // the GPS IFD at 26: GPSLatitudeRef (ASCII "N") and GPSLatitude (three rationals at 56)
  u16(1); u16(2); u32(2); b.push(...Buffer.from("N\0\0\0", "latin1"));
  u16(2); u16(5); u32(3); u32(56);
  u32(0);
  for (const [n, d] of [[14, 1], [5, 1], [30, 1]]) { u32(n); u32(d); }
  return Buffer.from(b);
}

/** A 480×320 photo-like PNG (colour bands) carrying `exif` in its eXIf chunk. */
function photo(exif) {
  const [w, h] = [480, 320];
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  const raw = Buffer.alloc(h * (1 + w * 3));
  for (let y = 0; y < h; y++) {
    const row = y * (1 + w * 3);
    for (let x = 0; x < w; x++) {
      const sky = y < h * 0.55;
      raw.set(sky ? [60 + (y >> 1), 120 + (y >> 2), 220] : [40 + (x >> 3), 130 + ((x + y) % 60), 50], row + 1 + x * 3);
    }
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr), chunk("eXIf", exif),
    chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

/** The types of a PNG's chunks. */
function chunks(png) {
  const out = [];
  for (let at = 8; at < png.length; at += 12 + png.readUInt32BE(at)) out.push(png.toString("latin1", at + 4, at + 8));
  return out;
}

/** Chooses `file` ({ name, mimeType, buffer }) with `description` and sends it with the keyboard. */
async function attach(page, file, description) {
  await page.locator("#attach-file").setInputFiles(file);
  // From the file input, Tab reaches the description, then the button; Enter sends.
  await page.locator("#attach-file").focus();
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "attach-description");
  await page.keyboard.type(description);
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), await page.locator("#attach-form button[type=submit]").innerText());
  await page.keyboard.press("Enter");
}

/** Waits for the files' status to say something other than "sending"; its text and code. */
async function outcome(page) {
  await page.waitForFunction(() => {
    const s = document.querySelector("#files-status p");
    return s && !s.matches("[role=status]:not(.ok)");
  });
  return page.locator("#files-status p").evaluate((p) => ({ text: p.innerText, ok: p.classList.contains("ok"), code: p.dataset.code }));
}

test("files are attached from the case page on a phone, listed with thumbnails, downloaded; refusals in words", async () => {
  const token = server.tokens[OFFICER];
  const made = await call(server.url, "/cases", { token, method: "POST", body: valid("Adjunta Prueba") });
  assert.equal(made.status, 201, JSON.stringify(made.data));
  const { id, number } = made.data;
  const sheet = await call(server.url, `/cases/${id}/forms/intake_sheet.pdf`, { token });
  assert.equal(sheet.status, 200);
  const dir = mkdtempSync(join(tmpdir(), "siproc-attach-"));
  writeFileSync(join(dir, "hoja.pdf"), sheet.data);
  execFileSync("pdftoppm", ["-r", "150", "-jpeg", "-jpegopt", "quality=80", "-singlefile", "-f", "1", "-l", "1", join(dir, "hoja.pdf"), join(dir, "firmada")]);
  const exif = exifWithGps();
  const png = photo(exif);
  assert.ok(png.includes(exif), "the test photo carries its GPS position");

  const ctx = await context({ bypassCSP: true, ...PHONE });
  const page = await ctx.newPage();
  await page.goto(`${server.url}/?dev-token#/signin`);
  await signIn(page, token);
  await go(page, `#/case/${id}`);
  await page.locator("#attach-form").waitFor();
  assert.match(await page.locator("#attachments").innerText(), /no tiene archivos adjuntos/);
  // On a phone the control opens the camera; PDFs and images are offered.
  assert.equal(await page.locator("#attach-file").getAttribute("capture"), "environment");
  assert.equal(await page.locator("#attach-file").getAttribute("accept"), "application/pdf,image/*");

  // A text file named .pdf: refused, in words, and nothing is listed.
  await attach(page, { name: "nota.pdf", mimeType: "application/pdf", buffer: Buffer.from("hola, no soy un PDF") }, "nota");
  let said = await outcome(page);
  assert.equal(said.ok, false);
  assert.equal(said.code, "attachment.media_type_not_allowed");
  assert.match(said.text, /No se adjuntó el archivo: solo se aceptan archivos PDF, JPEG, PNG o WebP\./);
  assert.equal(await page.evaluate(() => document.activeElement.id), "files-status", "the outcome takes the focus");

  // The photo (its name would say whose it is: it is not sent), the PDF, the signed scan.
  await attach(page, { name: "Ana Pena frente al albergue.png", mimeType: "image/png", buffer: png }, "Foto del albergue");
  said = await outcome(page);
  assert.ok(said.ok, said.text);
  assert.match(said.text, /Archivo adjuntado\./);
  await attach(page, { name: "orden.pdf", mimeType: "application/pdf", buffer: sheet.data }, "Orden de detención");
  assert.match((await outcome(page)).text, /Archivo adjuntado\./);
  await attach(page, { name: "escaneo.jpg", mimeType: "image/jpeg", buffer: readFileSync(join(dir, "firmada.jpg")) }, "Ficha firmada");
  assert.match((await outcome(page)).text, /copia firmada de «Ficha de registro del caso»/);

  // The list: three files, the images with their thumbnails drawn from blob: URLs.
  const items = page.locator("#attachments li");
  assert.equal(await items.count(), 3);
  await page.waitForFunction(() => [...document.querySelectorAll("#attachments img.thumb")].length === 2
    && [...document.querySelectorAll("#attachments img.thumb")].every((i) => i.complete && i.naturalWidth > 0));
  const thumbs = await page.locator("#attachments img.thumb").evaluateAll((imgs) => imgs.map((i) => ({ src: i.src, w: i.naturalWidth, h: i.naturalHeight, alt: i.alt })));
  for (const t of thumbs) {
    assert.match(t.src, /^blob:/, "a thumbnail is drawn from a blob: URL, never an address with a token");
    assert.ok(Math.max(t.w, t.h) <= 256, `${t.w}×${t.h}`);
  }
  assert.equal(thumbs[0].w, 256);
  assert.equal(thumbs[0].alt, "Miniatura: Foto del albergue");
  const rows = await items.evaluateAll((lis) => lis.map((li) => ({ ...li.dataset, text: li.innerText })));
  assert.equal(rows[0].type, "image/png");
  assert.match(rows[0].text, /Foto del albergue[\s\S]*PNG · [\d,.]+ KB/);
  assert.equal(rows[1].type, "application/pdf");
  assert.match(rows[1].text, /Orden de detención[\s\S]*PDF · [\d,.]+ KB/);
  assert.match(rows[2].text, /Ficha firmada[\s\S]*JPEG · [\d,.]+ KB · copia firmada de «Ficha de registro del caso», recibida el \d/);
  // The file names were never sent: not in the case, not in its history.
  const history = await call(server.url, `/cases/${id}/history?limit=1000`, { token });
  assert.doesNotMatch(JSON.stringify(history.data), /Ana Pena|albergue\.png|orden\.pdf|escaneo/);
  // Nothing runs off a phone's screen.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), "no horizontal scrolling at 390 px");
  await axe(page, "case page with attachments");
  // The case's files as a phone shows them (the page above them is the other tests').
  await page.locator("#files").screenshot({ path: join(SHOTS, "case-attachments.png") });

  // Downloads: the photo as kept, without its eXIf chunk nor its GPS position; the PDF as sent.
  const [photoDownload] = await Promise.all([page.waitForEvent("download"), page.locator(`#attachments li[data-sha256="${rows[0].sha256}"] button`).click()]);
  assert.equal(photoDownload.suggestedFilename(), `${number}-${rows[0].sha256.slice(0, 8)}.png`);
  const kept = readFileSync(await photoDownload.path());
  assert.deepEqual(chunks(kept).filter((c) => !["IHDR", "IDAT", "IEND"].includes(c)), [], "only the pixels travel");
  assert.ok(!kept.includes(exif.subarray(26)), "no GPS position");
  const [pdfDownload] = await Promise.all([page.waitForEvent("download"), page.locator(`#attachments li[data-sha256="${rows[1].sha256}"] button`).click()]);
  assert.deepEqual(readFileSync(await pdfDownload.path()), sheet.data);

  // In English: a PNG declared as a PDF is refused in English words; the list speaks English.
  await page.click("#lang");
  await page.waitForFunction(() => document.querySelector("#files-title")?.textContent === "Attachments");
  await attach(page, { name: "x.pdf", mimeType: "application/pdf", buffer: png }, "wrong type");
  said = await outcome(page);
  assert.equal(said.code, "attachment.media_type_mismatch");
  assert.match(said.text, /The file was not attached: the file's content is not of the type its name says/);
  assert.match(await items.nth(2).innerText(), /signed copy of “.+”, received on \d/);
  assert.equal(await items.count(), 3);
});
