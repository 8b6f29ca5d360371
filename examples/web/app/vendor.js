// The third-party browser libraries the server serves under /vendor/ (pinned npm packages of
// examples/web/package.json): classic scripts that set a global, loaded once, on first use, so
// that pages that do not need them never download them.
import { el } from "/form.js";

const loading = new Map();
// Their addresses, written out so that the server gives the content-hashed ones (web/assets.rs
// rewrites quoted addresses of its files).
const ADDRESSES = { "chart.umd.min.js": "/vendor/chart.umd.min.js", "jsQR.js": "/vendor/jsQR.js" };

/** Loads `/vendor/<file>` once; resolves to the global it sets, `window[name]`. */
export function vendor(file, name) {
  if (!loading.has(file)) {
    loading.set(file, new Promise((resolve, reject) => {
      const script = el("script", { src: ADDRESSES[file] ?? `/vendor/${file}` });
      script.onload = () => resolve(window[name]);
      script.onerror = () => { loading.delete(file); reject(new Error(file)); };
      document.head.append(script);
    }));
  }
  return loading.get(file);
}
