/*
 * Recipient suggestions in the compose page's To, Cc and Bcc fields: an ARIA 1.2 combobox
 * (role=combobox on the field, a role=listbox of role=option, aria-activedescendant) fed by
 * GET /contacts/suggest?q=… for the address being typed after the last comma.
 *
 * Without this file the fields are plain text fields with a <datalist> of the addresses
 * most written to, and any list typed by hand is sent as typed. This script only adds to
 * that: choosing a suggestion replaces the address being typed with `Name <address>, ` and
 * keeps everything before it. It works on pages loaded in place by app.js: fields are
 * taken over when they appear. Words come from the page ([data-autocomplete-words]).
 *
 * Keys: Down/Up move through the suggestions (Down opens them), Enter or Tab inserts the
 * one chosen, Escape closes the list (a second Escape is the browser's again).
 */
(function () {
  'use strict';
  if (!window.fetch || !window.MutationObserver) return;

  var script = document.currentScript;
  var base = (script && script.dataset.base) || '';
  var DEBOUNCE_MS = 150;

  /** The address being typed: the text after the last comma or semicolon outside quotes. */
  function currentToken(value) {
    var quoted = false;
    var angle = false;
    var start = 0;
    for (var i = 0; i < value.length; i++) {
      var c = value.charAt(i);
      if (c === '"') quoted = !quoted;
      else if (c === '<' && !quoted) angle = true;
      else if (c === '>' && !quoted) angle = false;
      else if ((c === ',' || c === ';') && !quoted && !angle) start = i + 1;
    }
    return { start: start, text: value.slice(start).trim() };
  }

  function words() {
    return document.querySelector('[data-autocomplete-words]');
  }

  /** The screen-reader sentence for `count` suggestions, in the page's language. */
  function countSentence(count) {
    var w = words();
    var span = w && w.querySelector('[data-count="' + Math.min(count, 10) + '"]');
    return span ? span.textContent : '';
  }

  function enhance(input) {
    if (input.dataset.suggestReady) return;
    var w = words();
    if (!w || !input.id) return;
    input.dataset.suggestReady = '1';
    var hadFocus = document.activeElement === input;

    var wrap = document.createElement('div');
    wrap.className = 'suggest';
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);

    var list = document.createElement('ul');
    list.id = input.id + '-suggestions';
    list.className = 'suggestions';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', w.dataset.label || '');
    list.hidden = true;
    wrap.appendChild(list);

    var status = document.createElement('div');
    status.className = 'visually-hidden';
    // A polite live region, not role=status: pages keep that role for their own notices
    // ("Message sent."), which would otherwise be found behind this one.
    status.setAttribute('aria-live', 'polite');
    status.setAttribute('aria-atomic', 'true');
    wrap.appendChild(status);

    // The combobox takes over from the datalist: two popups would fight.
    input.removeAttribute('list');
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', list.id);
    if (hadFocus) input.focus();

    var items = [];
    var active = -1;
    var timer = null;
    var asked = 0; // the newest request; older answers are dropped
    var controller = null;

    function close() {
      list.hidden = true;
      list.textContent = '';
      items = [];
      active = -1;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
    }

    function setActive(index) {
      active = index;
      items.forEach(function (item, i) {
        var li = list.children[i];
        li.setAttribute('aria-selected', i === index ? 'true' : 'false');
      });
      if (index >= 0) {
        var li = list.children[index];
        input.setAttribute('aria-activedescendant', li.id);
        if (li.scrollIntoView) li.scrollIntoView({ block: 'nearest' });
      } else {
        input.removeAttribute('aria-activedescendant');
      }
    }

    function show(found) {
      list.textContent = '';
      items = found;
      active = -1;
      found.forEach(function (s, i) {
        var li = document.createElement('li');
        li.id = list.id + '-' + i;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        var name = document.createElement('span');
        name.className = 'name';
        name.textContent = s.name || s.address;
        li.appendChild(name);
        if (s.name) {
          var address = document.createElement('span');
          address.className = 'address';
          address.textContent = ' <' + s.address + '>';
          li.appendChild(address);
        }
        if (s.source === 'collected') {
          var marker = document.createElement('span');
          marker.className = 'source';
          marker.textContent = ' · ' + (w.dataset.collected || '');
          li.appendChild(marker);
        }
        list.appendChild(li);
      });
      var open = found.length > 0;
      list.hidden = !open;
      input.setAttribute('aria-expanded', open ? 'true' : 'false');
      input.removeAttribute('aria-activedescendant');
      status.textContent = countSentence(found.length);
    }

    function ask() {
      var token = currentToken(input.value);
      if (!token.text) { close(); status.textContent = ''; return; }
      var mine = ++asked;
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      fetch(base + '/contacts/suggest?q=' + encodeURIComponent(token.text), {
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
        signal: controller ? controller.signal : undefined,
      }).then(function (response) {
        return response.ok ? response.json() : [];
      }).then(function (found) {
        if (mine !== asked || document.activeElement !== input) return;
        show(Array.isArray(found) ? found : []);
      }).catch(function () { /* aborted or offline: the field works as typed */ });
    }

    /** Replaces the address being typed with the suggestion, keeping what came before. */
    function choose(index) {
      var s = items[index];
      if (!s) return;
      var token = currentToken(input.value);
      var before = input.value.slice(0, token.start).replace(/\s*$/, '');
      input.value = (before ? before + ' ' : '') + s.text + ', ';
      close();
      status.textContent = '';
      input.focus();
      input.setSelectionRange(input.value.length, input.value.length);
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }

    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DEBOUNCE_MS);
    });

    input.addEventListener('keydown', function (event) {
      if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
      var open = !list.hidden && items.length > 0;
      switch (event.key) {
        case 'ArrowDown':
          event.preventDefault();
          if (!open) { ask(); return; }
          setActive(active + 1 >= items.length ? 0 : active + 1);
          break;
        case 'ArrowUp':
          if (!open) return;
          event.preventDefault();
          setActive(active <= 0 ? items.length - 1 : active - 1);
          break;
        case 'Enter':
          // With nothing chosen, Enter does what it always does (submits the form).
          if (open && active >= 0) { event.preventDefault(); choose(active); }
          break;
        case 'Tab':
          if (open && active >= 0 && !event.shiftKey) { event.preventDefault(); choose(active); }
          else close();
          break;
        case 'Escape':
          if (open) { event.preventDefault(); close(); }
          break;
      }
    });

    // mousedown, not click: the field keeps its focus, so blur does not close the list
    // before the choice is made.
    list.addEventListener('mousedown', function (event) {
      var li = event.target.closest('[role=option]');
      if (!li) return;
      event.preventDefault();
      choose(Array.prototype.indexOf.call(list.children, li));
    });

    input.addEventListener('blur', function () { clearTimeout(timer); close(); });
  }

  function enhanceAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll('input[data-suggest]'), enhance);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { enhanceAll(); });
  } else {
    enhanceAll();
  }
  // Pages loaded in place (app.js) bring new fields.
  new MutationObserver(function (changes) {
    for (var i = 0; i < changes.length; i++) {
      if (changes[i].addedNodes.length) { enhanceAll(); return; }
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
