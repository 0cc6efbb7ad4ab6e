// eulogin: security keys and passkeys. A page with <form data-webauthn="create|get"
// data-options="…"> carries the ceremony's options as webauthn-rs writes them (JSON, binary
// fields in base64url). On submit this script calls navigator.credentials.create or .get, puts
// the browser's answer (binary fields in base64url again) in the form's hidden "credential"
// field and submits the form. No inline script or handler: the CSP allows only this file.
// Texts come from the page (translated there); without JavaScript the page's <noscript> speaks.
(function () {
  'use strict';

  function fromBase64url(text) {
    var base64 = String(text).replace(/-/g, '+').replace(/_/g, '/');
    while (base64.length % 4) {
      base64 += '=';
    }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    if (!buffer) {
      return null;
    }
    var bytes = new Uint8Array(buffer);
    var binary = '';
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  // Browsers refuse null where a member is optional: drop such members.
  function withoutNulls(value) {
    if (Array.isArray(value)) {
      return value.map(withoutNulls);
    }
    if (value && typeof value === 'object') {
      var out = {};
      Object.keys(value).forEach(function (key) {
        if (value[key] !== null) {
          out[key] = withoutNulls(value[key]);
        }
      });
      return out;
    }
    return value;
  }

  function credentialIds(list) {
    return (list || []).map(function (c) {
      var copy = Object.assign({}, c);
      copy.id = fromBase64url(c.id);
      return copy;
    });
  }

  function creationOptions(options) {
    var publicKey = withoutNulls(options.publicKey);
    publicKey.challenge = fromBase64url(publicKey.challenge);
    publicKey.user = Object.assign({}, publicKey.user, { id: fromBase64url(publicKey.user.id) });
    if (publicKey.excludeCredentials) {
      publicKey.excludeCredentials = credentialIds(publicKey.excludeCredentials);
    }
    return { publicKey: publicKey };
  }

  function requestOptions(options) {
    var publicKey = withoutNulls(options.publicKey);
    publicKey.challenge = fromBase64url(publicKey.challenge);
    if (publicKey.allowCredentials) {
      publicKey.allowCredentials = credentialIds(publicKey.allowCredentials);
    }
    return { publicKey: publicKey };
  }

  function extensionResults(credential) {
    try {
      return credential.getClientExtensionResults() || {};
    } catch (e) {
      return {};
    }
  }

  function registrationJSON(credential) {
    var response = credential.response;
    var transports = typeof response.getTransports === 'function' ? response.getTransports() : [];
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: {
        attestationObject: toBase64url(response.attestationObject),
        clientDataJSON: toBase64url(response.clientDataJSON),
        transports: transports
      },
      extensions: extensionResults(credential)
    };
  }

  function assertionJSON(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: {
        authenticatorData: toBase64url(response.authenticatorData),
        clientDataJSON: toBase64url(response.clientDataJSON),
        signature: toBase64url(response.signature),
        userHandle: toBase64url(response.userHandle)
      },
      extensions: extensionResults(credential)
    };
  }

  function show(element, text) {
    if (!element) {
      return;
    }
    if (text) {
      element.textContent = text;
    }
    element.hidden = false;
  }

  function setUp(form) {
    var ceremony = form.getAttribute('data-webauthn');
    var answer = form.querySelector('input[name="credential"]');
    var button = form.querySelector('button[type="submit"]');
    var failure = document.getElementById('webauthn-failed');
    var supported = window.PublicKeyCredential && navigator.credentials &&
      typeof navigator.credentials.create === 'function';
    if (!supported) {
      show(document.getElementById('webauthn-unsupported'));
      if (button) {
        button.disabled = true;
      }
      return;
    }
    form.addEventListener('submit', function (event) {
      if (answer.value) {
        return; // the answer is in: let the form go
      }
      event.preventDefault();
      if (failure) {
        failure.hidden = true;
      }
      var options;
      try {
        options = JSON.parse(form.getAttribute('data-options'));
      } catch (e) {
        show(failure, failure && failure.getAttribute('data-other'));
        return;
      }
      if (button) {
        button.disabled = true;
      }
      var call = ceremony === 'create'
        ? navigator.credentials.create(creationOptions(options)).then(registrationJSON)
        : navigator.credentials.get(requestOptions(options)).then(assertionJSON);
      call.then(function (json) {
        answer.value = JSON.stringify(json);
        form.submit();
      }, function (error) {
        if (button) {
          button.disabled = false;
        }
        var name = error && error.name;
        var key = name === 'NotAllowedError' || name === 'AbortError' ? 'data-not-allowed'
          : name === 'InvalidStateError' ? 'data-invalid-state'
            : name === 'NotSupportedError' ? 'data-not-supported'
              : 'data-other';
        show(failure, failure && (failure.getAttribute(key) || failure.getAttribute('data-other')));
      });
    });
  }

  var forms = document.querySelectorAll('form[data-webauthn]');
  for (var i = 0; i < forms.length; i++) {
    setUp(forms[i]);
  }
}());
