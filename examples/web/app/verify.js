// "Verify a paper form", without signing in: the code printed on the form is sent to
// POST /form-checks, which answers whether a form with that code was generated — which form,
// case number, office and when — and never a person's data. The QR code printed on a form is
// the address of this page with the code (`/v/<code>`, which the server sends on to
// `#/verify/<code>`): a phone's camera app opens the check.
//
// Where the browser has a camera, the code can be scanned from the form's QR code instead:
// getUserMedia gives the camera's frames; the browser's BarcodeDetector reads them where it has
// one (Android, macOS, ChromeOS), and jsQR (npm `jsqr`, pinned in examples/web/package.json,
// served at /vendor/jsQR.js and loaded only when needed) everywhere else: a small, dependency-free
// QR decoder over the frame's pixels. The scan button is shown only when a camera is listed.
import { api } from "./api.js";
import { locale, t, when } from "./i18n.js";
import { el } from "/form.js";
import { vendor } from "./vendor.js";

/**
 * Draws the page into `view`; with `code` (`#/verify/<code>`: the address a form's QR code
 * holds, opened by a phone's camera app) the code is filled in and checked at once.
 */
export async function show(view, code) {
  const input = el("input", { id: "code", type: "text", autocomplete: "off", spellcheck: false,
    placeholder: "XXXX-XXXX-XXXX", inputMode: "text", "aria-describedby": "code-help" });
  const result = el("section", { id: "verdict", "aria-live": "polite" });
  const scan = el("button", { type: "button", id: "scan", className: "secondary", hidden: true }, t("scan_button"));
  const camera = el("div", { id: "camera", hidden: true });
  const form = el("form", { id: "verify", className: "card" },
    el("label", { htmlFor: "code" }, t("code")), input,
    el("p", { className: "help", id: "code-help" }, t("verify_help")),
    el("div", { className: "buttons" }, el("button", { type: "submit" }, t("verify_button")), scan), camera);
  let stopScan = () => {};
  scan.addEventListener("click", async () => {
    stopScan();
    camera.hidden = false;
    camera.replaceChildren(el("p", { className: "help", role: "status" }, t("scan_looking")));
    try {
      stopScan = await scanQr(camera, (text) => {
        stopScan();
        camera.hidden = true;
        input.value = text;
        form.requestSubmit();
      });
    } catch {
      camera.replaceChildren(el("p", { className: "errors", role: "alert" }, t("scan_failed")));
    }
  });
  hasCamera().then((yes) => { scan.hidden = !yes; form.dataset.camera = String(yes); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = await api("/form-checks", { method: "POST", body: { code: input.value }, token: null }).catch(() => null);
    if (!answer) return result.replaceChildren(el("p", { className: "errors" }, t("offline_page")));
    result.dataset.status = String(answer.status);
    if (answer.status === 429) return result.replaceChildren(el("p", { className: "errors", role: "alert" }, t("too_many")));
    if (answer.status === 422) return result.replaceChildren(el("p", { className: "errors", role: "alert" }, t("bad_code")));
    if (!answer.ok) return result.replaceChildren(el("p", { className: "errors", role: "alert" }, t("error", { status: answer.status, message: answer.data?.message ?? "" })));
    const { genuine, code, forms } = answer.data;
    result.dataset.genuine = String(genuine);
    result.replaceChildren(genuine
      ? el("div", { className: "verdict ok" }, el("p", { className: "ok" }, `✔ ${t("genuine")} · ${code}`),
        el("ul", {}, ...forms.map((f) => el("li", {}, t("form_line", {
          title: locale === "en" ? f.title_en : f.title_es, number: f.case_number, office: f.office_name, at: when(f.generated_at, null, f.time_zone),
        }), f.signed_copy_at
          ? el("p", { className: "ok", "data-signed": f.signed_copy_at }, t("signed_on_file", { at: when(f.signed_copy_at, null, f.time_zone) }))
          : ""))))
      : el("div", { className: "verdict bad" }, el("p", { className: "errors", role: "alert" }, `✘ ${t("not_genuine")}`)));
  });
  view.replaceChildren(el("h1", {}, t("verify_title")), form, result);
  if (code) {
    input.value = code;
    form.requestSubmit();
  }
  return () => stopScan();
}

/** Whether the browser lists a camera (labels stay hidden until permission; kinds do not). */
async function hasCamera() {
  if (!navigator.mediaDevices?.getUserMedia || !navigator.mediaDevices.enumerateDevices) return false;
  const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
  return devices.some((d) => d.kind === "videoinput");
}

/** A function reading one frame of `video`: the QR code's text, or null. */
async function reader(video) {
  if ("BarcodeDetector" in window && (await BarcodeDetector.getSupportedFormats()).includes("qr_code")) {
    const detector = new BarcodeDetector({ formats: ["qr_code"] });
    return async () => (await detector.detect(video))[0]?.rawValue ?? null;
  }
  const decode = await vendor("jsQR.js", "jsQR");
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  return async () => {
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    if (!canvas.width) return null;
    context.drawImage(video, 0, 0);
    const frame = context.getImageData(0, 0, canvas.width, canvas.height);
    return decode(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" })?.data ?? null;
  };
}

/** Shows the camera in `box` and calls `found(text)` with the first QR code read; returns stop(). */
async function scanQr(box, found) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  const video = el("video", { muted: true, playsInline: true, autoplay: true, "aria-label": t("scan_video") });
  video.srcObject = stream;
  box.replaceChildren(video, el("p", { className: "help", role: "status" }, t("scan_looking")));
  await video.play().catch(() => {});
  const read = await reader(video);
  let running = true;
  const stop = () => {
    running = false;
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  (async () => {
    while (running) {
      const text = await read().catch(() => null);
      if (!running) break;
      if (text) {
        box.dataset.read = "true";
        found(text);
        break;
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  })();
  return stop;
}
