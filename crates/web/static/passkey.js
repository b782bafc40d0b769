// Passkeys (WebAuthn) for Koshu: registering one on the two-factor page, and using one for the
// second step of signing in. Every page works without this script; only passkeys need it, as
// they need the browser's WebAuthn API.
(function () {
  'use strict';
  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }
  const english = document.documentElement.lang === 'en';
  const say = (ja, en) => (english ? en : ja);

  function decode(text) {
    let s = text.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) {
      s += '=';
    }
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0)).buffer;
  }

  function encode(buffer) {
    let s = '';
    for (const b of new Uint8Array(buffer)) {
      s += String.fromCharCode(b);
    }
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  // The server's answers are JSON; its errors carry a message in both languages.
  async function post(url, csrf, body) {
    const res = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'x-csrf-token': csrf,
      },
      body: JSON.stringify(body || {}),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      throw new Error(
        say(data.message_ja, data.message_en) ||
          say('サーバーが応答しませんでした。', 'The server did not answer.')
      );
    }
    return data;
  }

  // What the browser says when the person cancels, or the authenticator times out.
  function explain(error) {
    if (error && error.name === 'NotAllowedError') {
      return say(
        'パスキーの操作が取り消されたか、時間切れになりました。もう一度お試しください。',
        'The passkey request was cancelled or timed out. Please try again.'
      );
    }
    if (error && error.name === 'InvalidStateError') {
      return say(
        'この認証器のパスキーはすでに登録されています。',
        'A passkey on this authenticator is already registered.'
      );
    }
    return (error && error.message) || String(error);
  }

  function ready(root) {
    root.querySelectorAll('.passkey-ready').forEach((el) => {
      el.hidden = false;
    });
    root.querySelectorAll('.passkey-unavailable').forEach((el) => {
      el.hidden = true;
    });
  }

  function show(status, text) {
    status.textContent = text;
    status.classList.toggle('error-text', Boolean(text));
  }

  const form = document.getElementById('passkey-register');
  if (form) {
    ready(form.closest('section') || document);
    const status = form.querySelector('.passkey-status');
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      show(status, '');
      try {
        const csrf = form.elements.csrf.value;
        const options = (await post(form.dataset.options, csrf)).publicKey;
        options.challenge = decode(options.challenge);
        options.user.id = decode(options.user.id);
        (options.excludeCredentials || []).forEach((c) => {
          c.id = decode(c.id);
        });
        const credential = await navigator.credentials.create({ publicKey: options });
        const response = credential.response;
        const done = await post(form.action, csrf, {
          name: form.elements.name.value,
          credential: {
            id: credential.id,
            rawId: encode(credential.rawId),
            type: credential.type,
            response: {
              attestationObject: encode(response.attestationObject),
              clientDataJSON: encode(response.clientDataJSON),
              transports: response.getTransports ? response.getTransports() : undefined,
            },
            extensions: credential.getClientExtensionResults(),
          },
        });
        window.location.assign(done.redirect);
      } catch (error) {
        show(status, explain(error));
      }
    });
  }

  const button = document.getElementById('passkey-sign-in');
  if (button) {
    ready(button.closest('section') || document);
    const status = button.closest('section').querySelector('.passkey-status');
    button.addEventListener('click', async () => {
      show(status, '');
      button.disabled = true;
      try {
        const csrf = button.dataset.csrf;
        const options = (await post(button.dataset.options, csrf)).publicKey;
        options.challenge = decode(options.challenge);
        (options.allowCredentials || []).forEach((c) => {
          c.id = decode(c.id);
        });
        const credential = await navigator.credentials.get({ publicKey: options });
        const response = credential.response;
        const done = await post(button.dataset.finish, csrf, {
          id: credential.id,
          rawId: encode(credential.rawId),
          type: credential.type,
          response: {
            authenticatorData: encode(response.authenticatorData),
            clientDataJSON: encode(response.clientDataJSON),
            signature: encode(response.signature),
            userHandle: response.userHandle ? encode(response.userHandle) : null,
          },
          extensions: credential.getClientExtensionResults(),
        });
        window.location.assign(done.redirect);
      } catch (error) {
        show(status, explain(error));
        button.disabled = false;
      }
    });
  }
})();
