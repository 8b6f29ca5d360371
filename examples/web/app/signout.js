// Signing out (issue 36): the user's unsent registrations are sealed with a key of theirs in
// this browser (seal.js, queue.js); signing out deletes both, so that the next user of a shared
// computer finds nothing. When registrations are still unsent the user is warned first, in a
// modal dialog that says how many and offers to stay signed in (to send them when the
// connection returns) or to delete them and sign out.
import { el } from "/form.js";
import { t } from "./i18n.js";
import * as queue from "./queue.js";

/** Asks the user `n` unsent items would be lost; resolves to true to go on. */
function warn(n) {
  return new Promise((resolve) => {
    const stay = el("button", { type: "button", id: "signout-stay", className: "secondary" }, t("signout_stay"));
    const go = el("button", { type: "button", id: "signout-delete", className: "danger" }, t("signout_delete"));
    const dialog = el("dialog", { id: "signout-warning", "aria-labelledby": "signout-warning-title" },
      el("h2", { id: "signout-warning-title" }, t("signout_warning_title")),
      el("p", {}, t("signout_warning", { n })),
      el("div", { className: "buttons" }, stay, go));
    const done = (value) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    stay.onclick = () => done(false);
    go.onclick = () => done(true);
    dialog.addEventListener("cancel", (event) => { event.preventDefault(); done(false); });
    document.body.append(dialog);
    dialog.showModal();
    stay.focus();
  });
}

/**
 * Before signing `user` out: warns when they have unsent (or refused) registrations in this
 * browser; when they go on, deletes those and their key. Resolves to whether to sign out.
 */
export async function confirmSignOut(user) {
  if (!user) return true;
  const items = await queue.pending(user).catch(() => []);
  if (items.length && !(await warn(items.length))) return false;
  await queue.forget(user);
  return true;
}
