import { createHash } from 'node:crypto';

/**
 * The hosted sign-in pages: small, self-contained HTML (no external assets), usable with a keyboard
 * and a screen reader, and just as usable by a script posting the form. Every value written into a
 * page goes through `escapeHtml`. The one stylesheet and the one script (the passkey page's call to
 * navigator.credentials) are inline, fixed texts allowed by their hashes in the
 * Content-Security-Policy, which forbids everything else; the script may only call back to this
 * origin (connect-src 'self'). The password page itself has no script at all.
 */
const style = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f4f5f7;color:#1a1c1e}
main{max-width:24rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:.75rem;box-shadow:0 1px 3px #0003}
h1{font-size:1.5rem;margin:0 0 1rem}label{display:block;font-weight:600;margin:1rem 0 .25rem}
input{box-sizing:border-box;width:100%;padding:.65rem;font-size:1rem;border:1px solid #6b7280;border-radius:.375rem}
button{margin-top:1.25rem;width:100%;padding:.75rem;font-size:1rem;font-weight:600;border:0;border-radius:.375rem;background:#0b57d0;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0b57d0;border:1px solid #0b57d0}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.alert{padding:.75rem;border-radius:.375rem;background:#fdecea;color:#8a1c1c;border:1px solid #f5c2c0}
p.hint{color:#4b5563;font-size:.9rem}`;

const styleHash = createHash('sha256').update(style).digest('base64');

/**
 * The passkey page's script: asks the page's JSON endpoints for WebAuthn options, lets the device
 * check the customer (biometrics or PIN), sends the signed answer and follows where the server
 * says. Static text (no value is written into it), so its hash never changes per response.
 */
const passkeyScript = `"use strict";
(() => {
  const root = document.querySelector("[data-passkey-path]");
  const button = document.getElementById("passkey-start");
  const status = document.getElementById("passkey-status");
  if (!root || !button || !status) return;
  const base = root.getAttribute("data-passkey-path");
  const toBytes = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const toText = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/[+]/g, "-").replace(/[/]/g, "_").replace(/=+$/, "");
  const post = async (path, body) => {
    const response = await fetch(path, {
      method: "POST",
      headers: body ? { "content-type": "application/json", accept: "application/json" } : { accept: "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.detail || status.getAttribute("data-failed"));
    return answer;
  };
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "";
    try {
      const options = await post(base + "/options");
      const credential = await navigator.credentials.get({ publicKey: {
        ...options,
        challenge: toBytes(options.challenge),
        allowCredentials: options.allowCredentials.map((c) => ({ ...c, id: toBytes(c.id) })),
      } });
      const r = credential.response;
      const result = await post(base, { credential: {
        id: credential.id,
        rawId: toText(credential.rawId),
        type: credential.type,
        authenticatorAttachment: credential.authenticatorAttachment || undefined,
        clientExtensionResults: credential.getClientExtensionResults(),
        response: {
          clientDataJSON: toText(r.clientDataJSON),
          authenticatorData: toText(r.authenticatorData),
          signature: toText(r.signature),
          userHandle: r.userHandle ? toText(r.userHandle) : undefined,
        },
      } });
      window.location.assign(result.redirectTo);
    } catch (error) {
      const cancelled = error && (error.name === "NotAllowedError" || error.name === "AbortError");
      status.textContent = cancelled ? status.getAttribute("data-cancelled") : error.message || status.getAttribute("data-failed");
      button.disabled = false;
    }
  });
})();`;

const passkeyScriptHash = createHash('sha256').update(passkeyScript).digest('base64');

/** Headers every sign-in page is sent with. */
export const pageHeaders: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': `default-src 'none'; style-src 'sha256-${styleHash}'; script-src 'sha256-${passkeyScriptHash}'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => htmlEscapes[c] ?? c);
}

function page(title: string, body: string, script = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · NextGen</title>
<style>${style}</style>
</head>
<body>
<main>
${body}
</main>
${script}</body>
</html>
`;
}

/** The user-visible texts, in one place for translation. */
export const loginTexts = {
  signInTitle: 'Sign in to NextGen',
  rejected: 'The e-mail address or password is incorrect. Check them and try again.',
  throttled: 'Too many sign-in attempts. For your security, signing in is paused for a while.',
  expiredTitle: 'This sign-in page has expired',
  expired: 'Go back to the NextGen app and start signing in again.',
  passkeySignIn: 'Sign in with a passkey',
  passkeyTitle: 'Confirm it’s you',
  passkeyStep:
    'Your password was correct. To finish signing in, confirm with your passkey (Face ID, fingerprint or your device PIN).',
  passkeyPasswordless: 'Use the passkey on this device or your phone: no password needed.',
  passkeyContinue: 'Continue with passkey',
  // Browsers report a cancelled prompt, a timeout and a failed Face ID, fingerprint or PIN check
  // alike (NotAllowedError, so a page cannot probe the device), so one text names all three.
  passkeyCancelled:
    'The passkey check did not finish: it was cancelled, timed out, or your device could not confirm it’s you (Face ID, fingerprint or device PIN). Try again when you are ready.',
  passkeyFailed: 'The passkey could not sign you in. Try again, or use another passkey.',
};

export interface LoginPageOptions {
  readonly uid: string;
  readonly email?: string;
  readonly alert?: string;
}

export function loginPage(options: LoginPageOptions): string {
  const uid = encodeURIComponent(options.uid);
  const alert = options.alert ? `<p class="alert" role="alert">${escapeHtml(options.alert)}</p>` : '';
  return page(
    loginTexts.signInTitle,
    `<h1>${escapeHtml(loginTexts.signInTitle)}</h1>
${alert}
<form method="post" action="/interaction/${uid}/login">
<label for="email">E-mail address</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="${escapeHtml(options.email ?? '')}"${options.email ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"${options.email ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
</form>
<form method="get" action="/interaction/${uid}/passkey">
<button type="submit" class="secondary">${escapeHtml(loginTexts.passkeySignIn)}</button>
</form>
<form method="post" action="/interaction/${uid}/abort">
<button type="submit" class="secondary">Cancel</button>
</form>
<p class="hint">New to NextGen? Create your account in the app.</p>`,
  );
}

/**
 * The passkey step: after a correct password (`secondFactor`), or passwordless sign-in. The button
 * runs passkeyScript; without JavaScript a native client drives the same JSON endpoints.
 */
export function passkeyPage(options: { readonly uid: string; readonly secondFactor: boolean }): string {
  const uid = encodeURIComponent(options.uid);
  const title = options.secondFactor ? loginTexts.passkeyTitle : loginTexts.passkeySignIn;
  const explanation = options.secondFactor ? loginTexts.passkeyStep : loginTexts.passkeyPasswordless;
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(explanation)}</p>
<div data-passkey-path="/interaction/${uid}/passkey">
<button type="button" id="passkey-start" autofocus>${escapeHtml(loginTexts.passkeyContinue)}</button>
<p id="passkey-status" role="alert" data-cancelled="${escapeHtml(loginTexts.passkeyCancelled)}" data-failed="${escapeHtml(loginTexts.passkeyFailed)}"></p>
</div>
<form method="post" action="/interaction/${uid}/abort">
<button type="submit" class="secondary">Cancel</button>
</form>`,
    `<script>${passkeyScript}</script>
`,
  );
}

export function throttledPage(retryAfterS: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterS / 60));
  return page(
    loginTexts.signInTitle,
    `<h1>${escapeHtml(loginTexts.signInTitle)}</h1>
<p class="alert" role="alert">${escapeHtml(loginTexts.throttled)} Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.</p>`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}

export function expiredPage(): string {
  return messagePage(loginTexts.expiredTitle, loginTexts.expired);
}

/** The logout confirmation; `form` is the library's hidden form carrying its anti-forgery token. */
export function signOutPage(form: string): string {
  return page(
    'Sign out',
    `<h1>Sign out of NextGen?</h1>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
<button type="submit" form="op.logoutForm" class="secondary">No, stay signed in</button>`,
  );
}

export function signedOutPage(): string {
  return messagePage('Signed out', 'You have been signed out of NextGen. You can close this page.');
}

/** The authorization server's error page: the OAuth error code only, never internal details. */
export function errorPage(error: string, description: string | undefined): string {
  const detail = description ? `${description}.` : 'The request could not be completed.';
  return page(
    'Something went wrong',
    `<h1>Something went wrong</h1>
<p>${escapeHtml(detail)} Go back to the NextGen app and try again.</p>
<p class="hint">Error code: ${escapeHtml(error)}</p>`,
  );
}
