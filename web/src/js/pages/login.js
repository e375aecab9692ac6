// login.js — the sign-in steps: user and password (and the one-time code when the account
// has a second factor), then, when the server says so, the password change and the
// enrolment of a second factor. Messages are the server's own (lockout minutes etc.).
import { api, session } from "../api.js";
import { el, mount } from "../dom.js";
import { t } from "../i18n.js";

function field(id, label, type, extra) {
  return [el("label", { for: id }, label), el("input", { id, name: id, type, ...(extra || {}) })];
}

function signIn(root, done) {
  const err = el("p", { class: "error", id: "login-error" });
  const code = el("div", { id: "totp-row", hidden: true }, field("totp", t("totp_code"), "text",
    { inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6" }));
  const form = el("form", { class: "login panel", id: "login-form" },
    el("h1", {}, "Vigil"),
    field("user", t("user"), "text", { autocomplete: "username", required: true }),
    field("password", t("password"), "password", { autocomplete: "current-password", required: true }),
    code, el("p", {}, el("button", { class: "primary", type: "submit", id: "signin" }, t("signin"))), err);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    err.textContent = "";
    const body = { user: form.user.value, password: form.password.value };
    if (!code.hidden && form.totp.value) body.totp = form.totp.value;
    try {
      await api("POST", "/login", body);
      next(root, done);
    } catch (e) {
      if (e.body && e.body.need_totp) {
        code.hidden = false;
        form.totp.focus();
      }
      err.textContent = e.message;
    }
  });
  mount(root, form);
  form.user.focus();
}

function changePassword(root, done) {
  const err = el("p", { class: "error", id: "password-error" });
  const form = el("form", { class: "login panel", id: "password-form" },
    el("h1", {}, t("change_password")), el("p", { class: "note" }, t("change_password_why")),
    field("old", t("old_password"), "password", { autocomplete: "current-password", required: true }),
    field("new", t("new_password"), "password", { autocomplete: "new-password", required: true }),
    field("again", t("repeat_password"), "password", { autocomplete: "new-password", required: true }),
    el("p", {}, el("button", { class: "primary", type: "submit" }, t("save"))), err);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (form.new.value !== form.again.value) {
      err.textContent = t("passwords_differ");
      return;
    }
    try {
      await api("POST", "/password", { old: form.old.value, new: form.new.value });
      next(root, done);
    } catch (e) { err.textContent = e.message; }
  });
  mount(root, form);
}

async function enrol(root, done) {
  const r = await api("POST", "/totp/begin");
  const err = el("p", { class: "error", id: "enrol-error" });
  const form = el("form", { class: "login panel", id: "enrol-form" },
    el("h1", {}, t("enrol_totp")), el("p", { class: "note" }, t("enrol_why")),
    el("label", {}, t("secret")), el("p", { class: "mono", id: "totp-secret" }, r.secret),
    el("p", { class: "note mono", id: "totp-uri" }, r.uri),
    field("code", t("totp_code"), "text", { inputmode: "numeric", maxlength: "6", required: true }),
    el("p", {}, el("button", { class: "primary", type: "submit" }, t("confirm"))), err);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await api("POST", "/totp/confirm", { code: form.code.value });
      next(root, done);
    } catch (e) { err.textContent = e.message; }
  });
  mount(root, form);
}

function next(root, done) {
  const s = session.info;
  if (!s) signIn(root, done);
  else if (s.must_change_password) changePassword(root, done);
  else if (s.must_enrol_totp) enrol(root, done);
  else done();
}

/** Shows the step the session is at. */
export function loginPage(root, done) {
  next(root, done);
}
